// The run scripts must come from the @pulumi/pulumi the *program* depends on, not from the one this
// host was built against: the program's `require("@pulumi/pulumi")` and the run script have to
// share one copy of the SDK's runtime state. So we resolve from the program directory with Node's
// own algorithm (upward node_modules lookup, NODE_PATH), which is what `node -e require.resolve`
// in the program directory does for the official host, minus a process spawn.

import { createRequire } from "node:module";
import * as path from "node:path";

export const runScriptModule = "@pulumi/pulumi/cmd/run";
export const runPluginModule = "@pulumi/pulumi/cmd/run-plugin";
export const runPolicyPackModule = "@pulumi/pulumi/cmd/run-policy-pack";

export class SdkNotInstalledError extends Error {}

export function resolveFrom(directory: string, request: string, installHint: string): string {
  // createRequire needs a file name; it never has to exist.
  const requireFromDir = createRequire(
    path.join(path.resolve(directory), "__pulumi_langhost__.js"),
  );
  try {
    return requireFromDir.resolve(request);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND") {
      throw new SdkNotInstalledError(
        `It looks like the Pulumi SDK has not been installed. Have you run ${installHint}? ` +
          `(could not resolve ${request} from ${directory})`,
      );
    }
    throw err;
  }
}
