// Two explicit providers, one per region and AccessKey, queried in one program. Each call goes
// to its own provider's region and credentials; nothing is shared between them.
//
// Stack configuration (secrets with --secret):
//   endpoint            optional: one endpoint for both (the local emulator); unset means each
//                       region's public endpoint, smartag.<region>.aliyuncs.com
//   shanghaiAccessKey, shanghaiSecretKey (secret)
//   hongkongAccessKey, hongkongSecretKey (secret)
import * as pulumi from "@pulumi/pulumi";
import * as smartag from "pulumi-smartag";

const config = new pulumi.Config();
const endpoint = config.get("endpoint");

const shanghai = new smartag.Provider("shanghai", {
  region: "cn-shanghai",
  endpoint,
  accessKey: config.require("shanghaiAccessKey"),
  secretKey: config.requireSecret("shanghaiSecretKey"),
});

const hongkong = new smartag.Provider("hongkong", {
  region: "cn-hongkong",
  endpoint,
  accessKey: config.require("hongkongAccessKey"),
  secretKey: config.requireSecret("hongkongSecretKey"),
});

const inShanghai = smartag.getUserOnlineClientStatisticsOutput(
  { smartAgId: "sag-demo0001", userNames: ["doctest", "bob.smith"] },
  { provider: shanghai },
);
const inHongKong = smartag.getUserOnlineClientStatisticsOutput(
  { smartAgId: "sag-hk000001", userNames: ["doctest", "dave-hk"] },
  { provider: hongkong },
);

export const shanghaiRegion = inShanghai.regionId;
export const shanghaiUsers = inShanghai.userStatistics;
export const hongkongRegion = inHongKong.regionId;
export const hongkongUsers = inHongKong.userStatistics;
export const totalAcrossRegions = pulumi
  .all([inShanghai.totalOnlineCount, inHongKong.totalOnlineCount])
  .apply(([a, b]) => a + b);
