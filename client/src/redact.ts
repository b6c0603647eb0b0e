/**
 * Removes credentials from text that came from outside our control (library error messages,
 * URLs). Applied once, where pop-core's errors enter our code, so every later message, log
 * line and `cause` is built from clean text.
 */

const MASK = "***";

/** Query/form fields whose values are credentials or derived from them. */
const SENSITIVE_FIELDS = ["Signature", "SecurityToken", "AccessKeySecret", "AccessKeyId"];
/**
 * `Field=value` in a query or form, also percent-encoded once (`Field%3Dvalue%26…`) or twice
 * (`Field%253Dvalue%2526…`), as a string to sign quoted back by the API encodes it.
 */
const FIELD_PATTERN = new RegExp(
  `\\b(${SENSITIVE_FIELDS.join("|")})(=|%3[dD]|%253[dD])(?:(?!%26|%2526)[^&\\s"',])*`,
  "g",
);
/**
 * The API's `SignatureDoesNotMatch` message quotes the whole string it signed: every request
 * parameter, the STS token among them. Nothing in it helps a user more than the code does.
 */
const STRING_TO_SIGN = /(string to sign is:?)\s*\S+/gi;

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
    let out = text.replace(STRING_TO_SIGN, "$1 [omitted]").replace(FIELD_PATTERN, `$1$2${MASK}`);
    for (const s of this.secrets) {
      for (const form of encodings(s)) out = out.split(form).join(MASK);
    }
    return out;
  }
}

/**
 * The forms a value takes on the wire: raw, form/URL-encoded, RPC percent-encoded, and each
 * encoded twice (the string to sign encodes the already encoded parameters again).
 */
function encodings(value: string): string[] {
  const once = [encodeURIComponent(value), rpcEncode(value)];
  const forms = new Set([value, ...once, ...once.map(encodeURIComponent), ...once.map(rpcEncode)]);
  return [...forms];
}

/** Percent-encoding of the RPC signature scheme (RFC 3986). */
export function rpcEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
