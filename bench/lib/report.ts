/** Builds the Markdown report, one section at a time, and prints the same text. */

export type Cell = string | number;

export class Report {
  private readonly parts: string[] = [];

  heading(text: string, level = 2): void {
    this.parts.push(`${"#".repeat(level)} ${text}\n`);
  }

  para(text: string): void {
    this.parts.push(`${text}\n`);
  }

  table(header: readonly string[], rows: readonly (readonly Cell[])[]): void {
    const esc = (c: Cell) => String(c).replace(/\|/g, "\\|");
    const lines = [
      `| ${header.map(esc).join(" | ")} |`,
      `|${header.map(() => "---").join("|")}|`,
      ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
    ];
    this.parts.push(`${lines.join("\n")}\n`);
  }

  text(): string {
    return `${this.parts.join("\n").trimEnd()}\n`;
  }
}

/** One aim from the brief, checked against a figure of this run. */
export interface Aim {
  what: string;
  target: string;
  measured: string;
  /** undefined: a figure given for context, with no aim. */
  met: boolean | undefined;
  /** How far off, and why, when missed. */
  note: string;
}
