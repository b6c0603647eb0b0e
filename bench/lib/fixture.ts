/** A bench fixture: the emulator's keys and one instance with 10,000 users. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const REGION = "cn-shanghai";
export const INSTANCE = "sag-bench0001";
export const ACCESS_KEY = "LTAI5tEmulatorKey01";
export const SECRET_KEY = "emulator-secret-01";
export const MAX_USERS = 10_000;

/** The i-th bench user (0-based): 12 characters, a valid SAG client account name. */
export function userName(i: number): string {
  return `bench${String(i).padStart(5, "0")}@x`;
}

export function userNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => userName(i));
}

/** Writes the fixture to a fresh temp folder; `remove` deletes the folder. */
export function writeFixture(): { file: string; remove: () => void } {
  const users: Record<string, number> = {};
  for (let i = 0; i < MAX_USERS; i++) users[userName(i)] = i % 4;
  const fixture = {
    accessKeys: [{ id: ACCESS_KEY, secret: SECRET_KEY }],
    regions: { [REGION]: { [INSTANCE]: { users } } },
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), "smartag-bench-"));
  const file = path.join(dir, "fixture.json");
  writeFileSync(file, JSON.stringify(fixture));
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
