// Loaded with `node --require` into every program, source plugin and policy pack the host starts,
// before the SDK's run script. Keep it tiny: it is on the start-up path of every `pulumi` command.
// See inspectGuard.ts for why.

import { installInspectGuard } from "./inspectGuard";

// The util module object itself, not an import binding: the SDK reads `require("util").inspect`.
installInspectGuard(require("node:util") as typeof import("node:util"));
