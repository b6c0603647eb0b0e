/**
 * `smartag:index:getClientUsers`: the invoke behind the SDK's `getClientUsers` and
 * `getClientUsersOutput`; every client account of an instance, all pages read.
 */
import type { ClientUsersRequest } from "@pulumi-smartag/client";
import { viaClient } from "./invoke";

export const token = "smartag:index:getClientUsers";

export const invoke = viaClient<ClientUsersRequest>((client, args, options) =>
  client.describeSmartAccessGatewayClientUsers(args, options),
);
