/**
 * C0 controls (newline included), DEL, C1 controls and the bidirectional marks, embeddings,
 * overrides and isolates: each could fake a log line, drive the terminal or reorder text.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\\]/g;

/** Makes text from a request safe to print on one terminal line: `\x1b`, `\u202e`, `\\`. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (c) => {
    if (c === "\\") return "\\\\";
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
