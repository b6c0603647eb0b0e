// Children (programs, source plugins, policy packs) must not outlive the request that started them:
// the engine stops a source plugin by cancelling its RunPlugin call, and stops a program with the
// Cancel RPC. We ask politely first (SIGINT, which the SDK turns into a clean shutdown) and force
// it after a grace period, as the engine itself does with plugins.

import type { ChildProcess } from "node:child_process";

const gracePeriodMs = 5000;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ChildRegistry {
  private readonly children = new Set<ChildProcess>();

  track(child: ChildProcess): Promise<Exit> {
    this.children.add(child);
    return new Promise<Exit>((resolve, reject) => {
      child.once("error", (err) => {
        this.children.delete(child);
        reject(err);
      });
      // "close", not "exit": it fires after the child's stdio is drained, so no output is lost.
      child.once("close", (code, signal) => {
        this.children.delete(child);
        resolve({ code, signal });
      });
    });
  }

  stopAll(): void {
    for (const child of this.children) stop(child);
  }
}

export function stop(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGINT");
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }, gracePeriodMs);
  timer.unref();
  child.once("exit", () => clearTimeout(timer));
}
