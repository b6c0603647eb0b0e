/**
 * Text from outside (server answers, file paths, names typed or read) is printed with its
 * control characters escaped, so it cannot move the cursor, retitle the terminal, fake a line
 * of ours or reverse the text around it. The escapes are JSON's, so JSON output stays valid.
 */

/** C0 controls, DEL, C1 controls, line/paragraph separators, bidi embeddings and isolates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028-\u202e\u2066-\u2069]/g;
/** The same without "\n", for a last pass over text whose line breaks are our own. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeOne(c: string): string {
  return NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** For one piece of outside text: everything unsafe escaped, line breaks included. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

export interface Sink {
  write(text: string): unknown;
}

/**
 * The last step before a stream: credentials masked, then every control character that is
 * not a line break escaped. Line breaks inside outside text must be escaped where that text
 * is put into a message (escapeControls); here they cannot be told apart from ours.
 */
export function guarded(sink: Sink, redact: (text: string) => string): Sink {
  return { write: (text) => sink.write(redact(text).replace(UNSAFE_BUT_NEWLINE, escapeOne)) };
}
