/**
 * `smartag:index:getUserOnlineClients`: the invoke behind the SDK's `getUserOnlineClients` and
 * `getUserOnlineClientsOutput`; the devices connected through one client account.
 */
import type { UserOnlineClientsRequest } from "@pulumi-smartag/client";
import { viaClient } from "./invoke";

export const token = "smartag:index:getUserOnlineClients";

export const invoke = viaClient<UserOnlineClientsRequest>((client, args, options) =>
  client.describeUserOnlineClients(args, options),
);
