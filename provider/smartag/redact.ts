/**
 * Removes credentials from text that came from outside our control (library error messages,
 * URLs). Applied once, where pop-core's errors enter our code, so every later message, log
 * line and `cause` is built from clean text.
 */

const MASK = "***";

/** Query/form fields whose values are credentials or derived from them. */
const SENSITIVE_FIELDS = ["Signature", "SecurityToken", "AccessKeySecret", "AccessKeyId"];
const FIELD_PATTERN = new RegExp(`\\b(${SENSITIVE_FIELDS.join("|")})=[^&\\s"',]*`, "g");

/** A redactor that knows the exact secret values in play as well as the field patterns. */
export class Redactor {
  private readonly secrets: string[] = [];

  /** Registers values that must never appear (empty and very short values are ignored). */
  add(...values: (string | undefined)[]): void {
    for (const v of values) {
      // A one- or two-character "secret" would mask half the message; real secrets are longer.
      if (v === undefined || v.length < 4 || this.secrets.includes(v)) continue;
      this.secrets.push(v);
    }
  }

  redact(text: string): string {
    let out = text.replace(FIELD_PATTERN, `$1=${MASK}`);
    for (const s of this.secrets) {
      for (const form of encodings(s)) out = out.split(form).join(MASK);
    }
    return out;
  }
}

/** The forms a value takes on the wire: raw, form/URL-encoded, and RPC percent-encoded. */
function encodings(value: string): string[] {
  const forms = new Set([value, encodeURIComponent(value), rpcEncode(value)]);
  return [...forms];
}

/** Percent-encoding of the RPC signature scheme (RFC 3986). */
export function rpcEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
