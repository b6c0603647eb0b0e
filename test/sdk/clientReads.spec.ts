// The generated Node.js SDK's getClientUsers and getUserOnlineClients, and
// getUserOnlineClientStatistics without userNames, against mocks of the engine.
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as smartag from "pulumi-smartag";
import schema from "../../provider/schema.json";
import { installMocks, type Recorded, resolvedValue } from "./mocks";

const users: smartag.GetClientUsersResult = {
  regionId: "cn-shanghai",
  smartAgId: "sag-acct0001",
  users: [
    {
      userName: "erin.ops",
      userMail: "erin@example.com",
      clientIp: "10.10.0.2",
      bandwidth: 2000,
      accelerateBandwidth: 1000,
      enabled: true,
      isStaticIp: true,
    },
  ],
  totalCount: 1,
  requestIds: ["R-1"],
};
const devices: smartag.GetUserOnlineClientsResult = {
  regionId: "cn-shanghai",
  smartAgId: "sag-acct0001",
  userName: "erin.ops",
  clients: [
    { clientIp: "10.10.0.2", onlineTime: 1559125519, onlineSince: "2019-05-29T10:25:19.000Z" },
  ],
  requestIds: ["R-2"],
};

describe("getClientUsers and getUserOnlineClients", () => {
  let recorded: Recorded;
  beforeEach(async () => {
    recorded = await installMocks((call) =>
      call.token === "smartag:index:getClientUsers"
        ? { ...users }
        : call.token === "smartag:index:getUserOnlineClients"
          ? { ...devices }
          : { userStatistics: [], totalOnlineCount: 0 },
    );
  });

  it("send the schema's tokens with the arguments under the schema's names", async () => {
    const a = await smartag.getClientUsers({
      smartAgId: "sag-acct0001",
      userName: "erin.ops",
      userMail: "erin@example.com",
    });
    const first: smartag.types.output.ClientUser | undefined = a.users[0];
    assert.equal(first?.enabled, true);
    const b = await smartag.getUserOnlineClients({
      regionId: "cn-shanghai",
      smartAgId: "sag-acct0001",
      userName: "erin.ops",
    });
    const since: string | undefined = b.clients[0]?.onlineSince;
    assert.equal(since, "2019-05-29T10:25:19.000Z");
    for (const call of recorded.calls) assert.ok(call.token in schema.functions, call.token);
    assert.deepEqual(
      recorded.calls.map((c) => [c.token, c.inputs]),
      [
        [
          "smartag:index:getClientUsers",
          { smartAgId: "sag-acct0001", userName: "erin.ops", userMail: "erin@example.com" },
        ],
        [
          "smartag:index:getUserOnlineClients",
          { regionId: "cn-shanghai", smartAgId: "sag-acct0001", userName: "erin.ops" },
        ],
      ],
    );
  });

  it("mark the Output form's result secret when an argument is secret", async () => {
    const a = smartag.getClientUsersOutput({ smartAgId: pulumi.secret("sag-acct0001") });
    assert.equal(await pulumi.isSecret(a.users), true);
    const b = smartag.getUserOnlineClientsOutput({
      smartAgId: "sag-acct0001",
      userName: pulumi.secret("erin.ops"),
    });
    assert.equal(await pulumi.isSecret(b.clients), true);
    assert.deepEqual(await resolvedValue(b.clients), devices.clients);
  });

  it("getUserOnlineClientStatistics sends no userNames when none are given", async () => {
    await smartag.getUserOnlineClientStatistics({ smartAgId: "sag-acct0001" });
    assert.deepEqual(recorded.calls[0]?.inputs, { smartAgId: "sag-acct0001" });
  });
});
