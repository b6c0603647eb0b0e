import { errors } from "./errors";
import type { AccessKey } from "./fixture";
import type { NonceStore } from "./nonces";
import { computeSignature, signatureMatches, stringToSign } from "./signature";

export const TIMESTAMP_WINDOW_MS = 15 * 60 * 1000;

/** `yyyy-MM-ddTHH:mm:ssZ`, the protocol's documented form: no fraction, no offset. */
const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** Strict ISO 8601 UTC; Date.parse alone accepts local times and rolls Feb 30 over. */
export function parseTimestamp(value: string): number | undefined {
  const m = ISO_UTC.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC normalises out-of-range parts; formatting back exposes them.
  const canonical = new Date(ms).toISOString().slice(0, 19);
  return canonical === value.slice(0, 19) ? ms : undefined;
}

export interface AuthContext {
  method: string;
  params: Readonly<Record<string, string>>;
  keys: ReadonlyMap<string, AccessKey>;
  nonces: NonceStore;
  now: number;
}

function required(params: Readonly<Record<string, string>>, name: string): string {
  const value = params[name];
  if (value === undefined || value === "") throw errors.missingParameter(name);
  return value;
}

/**
 * Checks a signed RPC request the way the public gateway does. Cheap shape checks come
 * first; the nonce is claimed last so a request that fails any other check cannot burn
 * a nonce the legitimate caller still needs.
 */
export function authenticate(ctx: AuthContext): AccessKey {
  const { params } = ctx;
  const accessKeyId = required(params, "AccessKeyId");
  const signature = required(params, "Signature");
  const signatureMethod = required(params, "SignatureMethod");
  const signatureVersion = required(params, "SignatureVersion");
  const timestamp = required(params, "Timestamp");
  const nonce = required(params, "SignatureNonce");
  if (signatureMethod !== "HMAC-SHA1") throw errors.invalidSignatureMethod();
  if (signatureVersion !== "1.0") throw errors.invalidSignatureVersion();
  const sentAt = parseTimestamp(timestamp);
  if (sentAt === undefined) throw errors.timestampFormat();

  const key = ctx.keys.get(accessKeyId);
  if (key === undefined) throw errors.accessKeyNotFound();
  const expected = computeSignature(ctx.method, params, key.secret);
  if (!signatureMatches(expected, signature)) {
    throw errors.signatureMismatch(stringToSign(ctx.method, params));
  }

  if (Math.abs(ctx.now - sentAt) > TIMESTAMP_WINDOW_MS) throw errors.timestampExpired();

  const token = params.SecurityToken;
  if (key.securityToken === undefined) {
    // Strict on purpose: a token sent with a long-term key means the caller mixed up
    // credentials, and accepting it would hide that bug until it met the real gateway.
    if (token !== undefined) throw errors.securityTokenMismatch();
  } else if (token === undefined || token === "") {
    throw errors.missingSecurityToken();
  } else if (!signatureMatches(key.securityToken, token)) {
    throw errors.securityTokenMismatch();
  }

  if (!ctx.nonces.claim(nonce, sentAt + TIMESTAMP_WINDOW_MS, ctx.now)) throw errors.nonceUsed();
  return key;
}
