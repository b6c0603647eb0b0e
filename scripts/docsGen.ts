/**
 * `npm run docs:gen`: rewrites the configuration-key table in docs/installation-configuration.md
 * from provider/schema.json's `config.variables`, so the registry docs cannot drift from the
 * schema. A test fails when the committed table differs from what this writes.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

export const DOC = path.join(__dirname, "..", "docs", "installation-configuration.md");
export const SCHEMA = path.join(__dirname, "..", "provider", "schema.json");
const BEGIN = "<!-- BEGIN config keys: written by `npm run docs:gen` from provider/schema.json -->";
const END = "<!-- END config keys -->";

interface ConfigVariable {
  /** Absent for an object key, which names its type with `$ref`. */
  type?: string;
  $ref?: string;
  description?: string;
  default?: unknown;
  secret?: boolean;
  defaultInfo?: { environment?: string[] };
}

const cell = (text: string) => text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|");
const code = (text: string) => `\`${text}\``;

/** The Markdown table of every configuration key, in schema order. */
export function configTable(schema: { config: { variables: Record<string, ConfigVariable> } }) {
  const rows = Object.entries(schema.config.variables).map(([key, v]) =>
    [
      code(`smartag:${key}`),
      v.type ?? `object (${code(v.$ref?.split(":").pop() ?? "")})`,
      (v.defaultInfo?.environment ?? []).map(code).join(", "),
      v.default === undefined ? "" : code(JSON.stringify(v.default)),
      v.secret ? "yes" : "",
      cell(v.description ?? ""),
    ].join(" | "),
  );
  const head = "| Key | Type | Environment variables | Default | Secret | Description |";
  return [head, "|---|---|---|---|---|---|", ...rows.map((r) => `| ${r} |`)].join("\n");
}

/** `doc` with the text between the markers replaced by the table. */
export function withConfigTable(doc: string, table: string): string {
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) {
    throw new Error(`the doc lacks the markers ${BEGIN} ... ${END}`);
  }
  return `${doc.slice(0, start)}${BEGIN}\n${table}\n${doc.slice(end)}`;
}

/** What docs/installation-configuration.md should hold for today's schema. */
export function expectedDoc(): string {
  const schema = JSON.parse(readFileSync(SCHEMA, "utf8"));
  return withConfigTable(readFileSync(DOC, "utf8"), configTable(schema));
}

if (require.main === module) {
  writeFileSync(DOC, expectedDoc());
  process.stderr.write(`docs:gen: wrote the configuration keys into ${path.relative(".", DOC)}\n`);
}
