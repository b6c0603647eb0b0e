// Records how many clients are online through one SAG APP instance, per user, in the Pulumi
// state, with the UserOnlineClientStatistics resource. It sets no limit of its own: the limits
// are the policy pack's (examples/policy-pack), so the same program can be held to different
// limits per run:
//
//   pulumi up
//   pulumi preview --policy-pack ../policy-pack --policy-pack-config limits.json
//
// The counts are queried when the resource is created and on `pulumi refresh` (or
// `pulumi preview --refresh`), so a policy judges the counts as of then.
//
// The provider takes its region, endpoint and credentials from the stack configuration
// (`smartag:region`, `smartag:endpoint`, `smartag:accessKey`, `smartag:secretKey` set with
// --secret) or from the environment (ALIBABA_CLOUD_REGION, ALIBABA_CLOUD_ACCESS_KEY_ID, ...).
import * as pulumi from "@pulumi/pulumi";
import * as smartag from "pulumi-smartag";

const config = new pulumi.Config();
const args: smartag.UserOnlineClientStatisticsArgs = {
  smartAgId: config.require("smartAgId"),
  userNames: config.requireObject<string[]>("userNames"),
};

// The dynamic form has another type token; the policy pack reads both.
const stats = config.getBoolean("dynamic")
  ? new smartag.dynamic.UserOnlineClientStatistics("gate", args)
  : new smartag.UserOnlineClientStatistics("gate", args);

export const regionId = stats.regionId;
export const userStatistics = stats.userStatistics;
export const totalOnlineCount = stats.totalOnlineCount;
