// Reads how many clients are online through one SAG APP instance, per user, and exports them.
//
// The provider takes its region, endpoint and credentials from the stack configuration
// (`smartag:region`, `smartag:endpoint`, `smartag:accessKey`, `smartag:secretKey` set with
// --secret) or from the environment (ALIBABA_CLOUD_REGION, ALIBABA_CLOUD_ACCESS_KEY_ID, ...).
import * as pulumi from "@pulumi/pulumi";
import * as smartag from "pulumi-smartag";

const config = new pulumi.Config();
const smartAgId = config.require("smartAgId");
const userNames = config.requireObject<string[]>("userNames");

const stats = smartag.getUserOnlineClientStatisticsOutput({ smartAgId, userNames });

export const regionId = stats.regionId;
export const instance = stats.smartAgId;
export const userStatistics = stats.userStatistics;
export const totalOnlineCount = stats.totalOnlineCount;
export const requestIds = stats.requestIds;
