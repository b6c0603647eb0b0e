/**
 * The three output formats. Each returns the whole stdout text, so a format is one write
 * and a reader never sees half a document.
 */
import type { LimitViolation } from "@pulumi-smartag/limits";
import { escapeControls } from "./escape";

/** The client's per-account result, as far as output needs it (kept structural: no client import). */
export interface Statistics {
  regionId: string;
  smartAgId: string;
  userStatistics: { userName: string; onlineCount: number }[];
  totalOnlineCount: number;
  requestIds: string[];
}

/** The client's instance totals, as far as output needs them. */
export interface InstanceStatistics {
  regionId: string;
  statistics: { smartAgId: string; onlineCount: number }[];
  totalOnlineCount: number;
  requestIds: string[];
}

/** The client's devices of one account, as far as output needs them. */
export interface OnlineClients {
  regionId: string;
  smartAgId: string;
  userName: string;
  clients: { clientIp: string; onlineTime: number; onlineSince: string }[];
  requestIds: string[];
}

/** One command's result as rows: what the table and the CSV show. */
export interface Report {
  /** The line above the table. */
  heading: string;
  /** Table headers, one per column. */
  columns: readonly string[];
  /** The CSV header: the JSON's field names, one per column. */
  fields: readonly string[];
  /** Numbers are right-aligned in the table. */
  numeric: readonly boolean[];
  rows: readonly (readonly string[])[];
  /** The table's last row, e.g. `TOTAL  8`; none when a total would mean nothing. */
  totalRow?: readonly string[];
  requestIds: readonly string[];
}

/** Per-account counts: USER / ONLINE and a total. */
export function userReport(stats: Statistics): Report {
  return {
    heading: `SAG instance ${stats.smartAgId} (${stats.regionId})`,
    columns: ["USER", "ONLINE"],
    fields: ["userName", "onlineCount"],
    numeric: [false, true],
    rows: stats.userStatistics.map((s) => [s.userName, String(s.onlineCount)]),
    totalRow: ["TOTAL", String(stats.totalOnlineCount)],
    requestIds: stats.requestIds,
  };
}

/** Instance totals: INSTANCE / ONLINE and a total. */
export function instanceReport(stats: InstanceStatistics): Report {
  return {
    heading: `SAG instances (${stats.regionId})`,
    columns: ["INSTANCE", "ONLINE"],
    fields: ["smartAgId", "onlineCount"],
    numeric: [false, true],
    rows: stats.statistics.map((s) => [s.smartAgId, String(s.onlineCount)]),
    totalRow: ["TOTAL", String(stats.totalOnlineCount)],
    requestIds: stats.requestIds,
  };
}

/** The devices of one account: CLIENT IP / ONLINE TIME / ONLINE SINCE, and how many. */
export function clientsReport(online: OnlineClients): Report {
  const count = online.clients.length;
  return {
    heading: `SAG instance ${online.smartAgId} (${online.regionId}), account ${online.userName}: ${count} online`,
    columns: ["CLIENT IP", "ONLINE TIME", "ONLINE SINCE"],
    fields: ["clientIp", "onlineTime", "onlineSince"],
    numeric: [false, true, false],
    rows: online.clients.map((c) => [c.clientIp, String(c.onlineTime), c.onlineSince]),
    requestIds: online.requestIds,
  };
}

/** For people: aligned columns, a total, and where the numbers came from. */
export function formatTable(report: Report, options: { verbose: boolean }): string {
  const all = [report.columns, ...report.rows, ...(report.totalRow ? [report.totalRow] : [])];
  // Loops, not Math.max(...rows): 100,000 arguments overflow the stack.
  const widths = report.columns.map(() => 0);
  for (const row of all) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        if (report.numeric[i]) return cell.padStart(width);
        return i === row.length - 1 ? cell : cell.padEnd(width);
      })
      .join("  ");
  const out = [report.heading, ...all.map(line)];
  if (options.verbose) out.push(`RequestIds: ${report.requestIds.map(escapeControls).join(", ")}`);
  return `${out.join("\n")}\n`;
}

/**
 * For jq: the client's result unchanged, plus `violations` when limits were given (an empty
 * array then means "checked and fine", which absence could not say).
 */
export function formatJson(
  result: object,
  violations: readonly LimitViolation[] | undefined,
): string {
  const doc = violations === undefined ? result : { ...result, violations };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** RFC 4180 field: quoted only when it must be, inner quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * For spreadsheets and `cut`: a header and one row per entry, nothing else, so every line
 * parses the same way. LF line ends: the shell tools this feeds split on them.
 */
export function formatCsv(report: Report): string {
  const rows = report.rows.map((row) => row.map(csvField).join(","));
  return `${[report.fields.join(","), ...rows].join("\n")}\n`;
}
