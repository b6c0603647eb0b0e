/**
 * Scans anything a user could see (messages, stacks, properties, cause chains, log lines,
 * responses) for credentials.
 */
import assert from "node:assert/strict";
import { inspect } from "node:util";

/** Everything an error exposes, flattened to text: message, stack, fields, causes. */
export function exposedText(value: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  const walk = (v: unknown, depth: number) => {
    if (v === null || v === undefined || depth > 6 || seen.has(v)) return;
    if (typeof v !== "object") {
      parts.push(String(v));
      return;
    }
    seen.add(v);
    if (v instanceof Error) parts.push(v.message, v.stack ?? "");
    parts.push(inspect(v, { depth: 6, showHidden: true }));
    try {
      parts.push(JSON.stringify(v));
    } catch {
      // circular: inspect above already covered it
    }
    for (const key of Reflect.ownKeys(v)) walk((v as Record<PropertyKey, unknown>)[key], depth + 1);
    if (v instanceof Error) walk(v.cause, depth + 1);
  };
  walk(value, 0);
  return parts.join("\n");
}

/** Fails if any of `secrets` (raw or URL-encoded) occurs in what `value` exposes. */
export function assertNoSecrets(value: unknown, secrets: readonly string[], what = "value"): void {
  const text = typeof value === "string" ? value : exposedText(value);
  for (const s of secrets) {
    for (const form of new Set([s, encodeURIComponent(s)])) {
      assert.ok(!text.includes(form), `${what} exposes a credential (${s.slice(0, 3)}...)`);
    }
  }
}
