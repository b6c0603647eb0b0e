/**
 * Names from --user and --users-file. Files and stdin are streamed and capped (--max-names,
 * --max-input-bytes), so a huge list or an endless pipe ends with a usage error instead of
 * filling memory.
 */
import { createReadStream } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import {
  type CliOptions,
  nameInLine,
  namesFromFlag,
  type SourcedName,
  type UsageIssue,
} from "./args";

type Caps = Pick<CliOptions, "maxNames" | "maxInputBytes">;

/** Names in command-line order; reading stops at the first source that breaks a cap. */
export async function collectNames(
  options: Pick<CliOptions, "nameSources"> & Caps,
  stdin: NodeJS.ReadableStream,
): Promise<{ names: SourcedName[]; issues: UsageIssue[]; capped: boolean }> {
  const names: SourcedName[] = [];
  const issues: UsageIssue[] = [];
  const read = { bytes: 0 };
  for (const source of options.nameSources) {
    if (source.kind === "flag") {
      const found = namesFromFlag(source.value);
      // One at a time: a spread into push() overflows the stack for a long list.
      for (const n of found.names) names.push(n);
      for (const i of found.issues) issues.push(i);
      if (names.length > options.maxNames) {
        issues.push({ where: "--user", reason: tooManyNames(options.maxNames) });
        return { names, issues, capped: true };
      }
      continue;
    }
    const problem = await readNamesFile(source.path, stdin, options, names, read);
    if (problem) issues.push(problem.issue);
    if (problem?.capped) return { names, issues, capped: true };
  }
  return { names, issues, capped: false };
}

function tooManyNames(max: number): string {
  return `stopped reading past ${max} names, the most --max-names allows (raise it for a longer list)`;
}

function tooManyBytes(max: number): string {
  return `stopped reading past ${max} bytes of names, the most --max-input-bytes allows (raise it for a longer list)`;
}

/**
 * Streams one file ("-" is stdin) into `names`, one name per line. On a problem the file's
 * names are dropped, so its half-read lines add no noise to the report.
 */
async function readNamesFile(
  path: string,
  stdin: NodeJS.ReadableStream,
  caps: Caps,
  names: SourcedName[],
  read: { bytes: number },
): Promise<{ issue: UsageIssue; capped: boolean } | undefined> {
  const fromStdin = path === "-";
  const where = `--users-file ${JSON.stringify(path)}`;
  const start = names.length;
  const lines = new LineReader(fromStdin ? "stdin" : path, names);
  try {
    const stream = fromStdin ? stdin : createReadStream(path);
    // Leaving the loop early destroys the stream: an endless source is not read any further.
    const capped = (reason: string) => {
      names.length = start;
      return { issue: { where, reason }, capped: true };
    };
    for await (const chunk of stream) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
      read.bytes += bytes.length;
      if (read.bytes > caps.maxInputBytes) return capped(tooManyBytes(caps.maxInputBytes));
      lines.push(bytes);
      if (names.length > caps.maxNames) return capped(tooManyNames(caps.maxNames));
    }
    lines.end();
    return names.length > caps.maxNames ? capped(tooManyNames(caps.maxNames)) : undefined;
  } catch (e) {
    names.length = start;
    const code = (e as NodeJS.ErrnoException).code;
    return { issue: { where, reason: `cannot be read${code ? ` (${code})` : ""}` }, capped: false };
  }
}

/**
 * Splits a byte stream into lines and keeps the names on them, numbered from 1. Only the
 * unfinished last line is held, in pieces, so a long line is not copied again per chunk.
 */
class LineReader {
  private readonly decoder = new StringDecoder("utf8");
  private pending: string[] = [];
  private line = 0;

  constructor(
    private readonly label: string,
    private readonly names: SourcedName[],
  ) {}

  push(chunk: Buffer): void {
    const text = this.decoder.write(chunk);
    let from = 0;
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", from)) {
      this.pending.push(text.slice(from, nl));
      this.take();
      from = nl + 1;
    }
    if (from < text.length) this.pending.push(text.slice(from));
  }

  end(): void {
    const rest = this.decoder.end();
    if (rest !== "") this.pending.push(rest);
    if (this.pending.length > 0) this.take();
  }

  private take(): void {
    this.line++;
    let text = this.pending.join("");
    this.pending = [];
    if (this.line === 1) text = text.replace(/^\uFEFF/, "");
    const name = nameInLine(text);
    if (name !== undefined) this.names.push({ name, origin: `${this.label} line ${this.line}` });
  }
}
