/**
 * `npm start`: the whole path a user takes, on this machine, with no Alibaba Cloud account.
 * Starts the emulator with the bundled fixture, runs examples/basic with the real Pulumi CLI
 * (`pulumi up`) on a throwaway local backend, prints the exported statistics as a table, then
 * destroys the stack and removes everything it created.
 */
import * as path from "node:path";
import { formatTable, type Statistics, userReport } from "../cli/format";
import { loadDefaultFixture, startEmulator } from "../emulator";
import {
  configureForEmulator,
  createPulumiWorkspace,
  describeRun,
  repoRoot,
} from "../test/helpers/pulumiCli";

function step(text: string): void {
  process.stderr.write(`==> ${text}\n`);
}

async function main(): Promise<void> {
  step("starting the Smartag emulator (bundled fixture)");
  const emulator = await startEmulator({ fixture: loadDefaultFixture() });
  step(`emulator at ${emulator.url}`);
  const ws = await createPulumiWorkspace({
    fixture: path.join(repoRoot, "examples", "basic"),
    env: { PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
  });
  try {
    const run = async (args: string[], label?: string) => {
      if (label) step(label);
      const result = await ws.run(args);
      if (result.code !== 0) throw new Error(describeRun(args, result));
      return result;
    };
    await run(
      ["stack", "init", "demo"],
      "pulumi stack init demo (local file backend in a temp folder)",
    );
    await configureForEmulator({ runOk: (args) => run([...args]) }, emulator.url);
    const up = await run(["up", "--yes"], "pulumi up --yes (examples/basic)");
    const summary = up.stdout.split("\n").filter((l) => /created|Duration/.test(l));
    for (const line of summary) step(line.trim());
    const outputs = JSON.parse((await run(["stack", "output", "--json"])).stdout) as {
      instance: string;
    } & Statistics;
    process.stdout.write(
      `\n${formatTable(userReport({ ...outputs, smartAgId: outputs.instance }), { verbose: true })}\n`,
    );
    await run(["destroy", "--yes"], "pulumi destroy --yes");
    await run(["stack", "rm", "--yes", "demo"]);
  } finally {
    await ws.cleanup();
    await emulator.close();
    step("cleaned up: stack, state and emulator are gone");
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
