// The policy pack's entry point: `pulumi preview --policy-pack examples/policy-pack` runs this
// file, and constructing the PolicyPack serves the policies to the engine. The policies live in
// policies.ts so that tests can call them without starting a server.
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./policies";

new PolicyPack(PACK_NAME, {
  description:
    "Limits on how many clients are online through Alibaba Cloud Smart Access Gateway (SAG) APP instances, per client account and in total.",
  // A limit someone bothered to configure is meant to stop the deployment; lower it per policy
  // with `--policy-pack-config` ("advisory") when a warning is enough.
  enforcementLevel: "mandatory",
  policies,
});
