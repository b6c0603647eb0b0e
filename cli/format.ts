/**
 * The three output formats. Each returns the whole stdout text, so a format is one write
 * and a reader never sees half a document.
 */
import type { LimitViolation } from "@pulumi-smartag/limits";
import { escapeControls } from "./escape";

/** The client's result, as far as output needs it (kept structural: no client import). */
export interface Statistics {
  regionId: string;
  smartAgId: string;
  userStatistics: { userName: string; onlineCount: number }[];
  totalOnlineCount: number;
  requestIds: string[];
}

/** For people: aligned columns, a total, and where the numbers came from. */
export function formatTable(stats: Statistics, options: { verbose: boolean }): string {
  const rows = stats.userStatistics.map((s) => [s.userName, String(s.onlineCount)] as const);
  const total = String(stats.totalOnlineCount);
  // A loop, not Math.max(...rows): 100,000 arguments overflow the stack.
  let nameWidth = "TOTAL".length;
  let countWidth = Math.max("ONLINE".length, total.length);
  for (const [n, c] of rows) {
    nameWidth = Math.max(nameWidth, n.length);
    countWidth = Math.max(countWidth, c.length);
  }
  const line = (name: string, count: string) =>
    `${name.padEnd(nameWidth)}  ${count.padStart(countWidth)}`;
  const out = [
    `SAG instance ${stats.smartAgId} (${stats.regionId})`,
    line("USER", "ONLINE"),
    ...rows.map(([n, c]) => line(n, c)),
    line("TOTAL", total),
  ];
  if (options.verbose) out.push(`RequestIds: ${stats.requestIds.map(escapeControls).join(", ")}`);
  return `${out.join("\n")}\n`;
}

/**
 * For jq: the client's result unchanged, plus `violations` when limits were given (an empty
 * array then means "checked and fine", which absence could not say).
 */
export function formatJson(
  stats: Statistics,
  violations: readonly LimitViolation[] | undefined,
): string {
  const doc = violations === undefined ? stats : { ...stats, violations };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** RFC 4180 field: quoted only when it must be, inner quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * For spreadsheets and `cut`: a header and one row per user, nothing else, so every line
 * parses the same way. LF line ends: the shell tools this feeds split on them.
 */
export function formatCsv(stats: Statistics): string {
  const rows = stats.userStatistics.map((s) => `${csvField(s.userName)},${s.onlineCount}`);
  return `${["userName,onlineCount", ...rows].join("\n")}\n`;
}
