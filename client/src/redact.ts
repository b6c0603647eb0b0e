/**
 * Removes credentials from text that came from outside our control (library error messages,
 * URLs). Applied where the server's answers enter our code (transport.ts), and once more over
 * what the plugin returns, so every message, log line and `cause` is built from clean text.
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
  /** Every wire form of every secret; most text holds none, and is passed over at once. */
  private forms: string[] = [];

  /** Registers values that must never appear (empty and very short values are ignored). */
  add(...values: (string | undefined)[]): void {
    for (const v of values) {
      // A one- or two-character "secret" would mask half the message; real secrets are longer.
      if (v === undefined || v.length < 4 || this.secrets.includes(v)) continue;
      this.secrets.push(v);
      this.forms.push(...wireForms(v));
    }
  }

  /** `extra`: {@link wireForms} of values secret for this text only (a request's signature). */
  redact(text: string, extra: readonly string[] = []): string {
    let out = text;
    if (MAYBE_FIELD.test(out)) {
      out = out.replace(STRING_TO_SIGN, "$1 [omitted]").replace(FIELD_PATTERN, `$1$2${MASK}`);
    }
    for (const form of this.forms) if (out.includes(form)) out = out.split(form).join(MASK);
    for (const form of extra) if (out.includes(form)) out = out.split(form).join(MASK);
    return out;
  }
}

/** A cheap first look for the patterns above. */
const MAYBE_FIELD = /Signature|SecurityToken|AccessKey|string to sign/i;

/**
 * The forms a value takes on the wire: raw, form/URL-encoded, RPC percent-encoded, and each
 * encoded twice (the string to sign encodes the already encoded parameters again).
 */
export function wireForms(value: string): string[] {
  const once = [encodeURIComponent(value), rpcEncode(value)];
  const forms = new Set([value, ...once, ...once.map(encodeURIComponent), ...once.map(rpcEncode)]);
  return [...forms];
}

/** Percent-encoding of the RPC signature scheme (RFC 3986). */
export function rpcEncode(value: string): string {
  const encoded = encodeURIComponent(value);
  // Most values hold none of these: skip the replace (signing calls this per parameter).
  return RFC3986_EXTRA.test(encoded)
    ? encoded.replace(RFC3986_EXTRA_ALL, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    : encoded;
}

const RFC3986_EXTRA = /[!'()*]/;
const RFC3986_EXTRA_ALL = /[!'()*]/g;
