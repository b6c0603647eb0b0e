/**
 * "requests done / total" on stderr for long runs. Only for a person watching a terminal:
 * in a CI log or a pipe, a stream of counters is noise, so it stays off unless forced.
 */

/** Names above this take more than one API request, which is when waiting becomes visible. */
export const PROGRESS_MIN_NAMES = 50;

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * SMARTAG_PROGRESS=1 forces the indicator on (tests, or a log that wants it), =0 forces it off;
 * otherwise it follows whether stderr is a terminal.
 */
export function progressWanted(options: {
  names: number;
  quiet: boolean;
  stderrIsTTY: boolean;
  env: NodeJS.ProcessEnv;
}): boolean {
  if (options.quiet || options.names <= PROGRESS_MIN_NAMES) return false;
  const forced = options.env.SMARTAG_PROGRESS;
  if (forced === "1") return true;
  if (forced === "0") return false;
  return options.stderrIsTTY;
}

export class Progress {
  private done = 0;
  private shown = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly total: number,
  ) {}

  /** One more API request answered. */
  tick(): void {
    this.done = Math.min(this.done + 1, this.total);
    const text = `smartag-stats: ${this.done}/${this.total} requests`;
    // A terminal gets one line rewritten in place; a forced non-terminal gets whole lines.
    if (this.stream.isTTY) this.stream.write(`\r\x1b[K${text}`);
    else this.stream.write(`${text}\n`);
    this.shown = true;
  }

  /** Clears the line so what follows on stderr starts clean. */
  finish(): void {
    if (this.shown && this.stream.isTTY) this.stream.write("\r\x1b[K");
    this.shown = false;
  }
}
