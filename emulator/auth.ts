import { type ApiError, errors } from "./errors";
import type { AccessKey } from "./fixture";
import type { NonceStore } from "./nonces";
import { computeSignature, signatureMatches, stringToSign } from "./signature";

export const TIMESTAMP_WINDOW_MS = 15 * 60 * 1000;
/** SDKs send 32 to 36 characters; the cap keeps the nonce store's memory bounded. */
export const MAX_NONCE_LENGTH = 128;

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
  /** The fixture's keys, and the STS stand-in's temporary ones while they are valid. */
  keys: { get(id: string): AccessKey | undefined };
  nonces: NonceStore;
  now: number;
}

/** What either signature version claims, in the shape the shared checks take. */
interface Claim {
  accessKeyId: string;
  sentAt: number;
  nonce: string;
  securityToken: string | undefined;
  /** True when the request was signed with this secret. */
  signedWith(secret: string): boolean;
  mismatch(): ApiError;
}

function required(params: Readonly<Record<string, string>>, name: string): string {
  const value = params[name];
  if (value === undefined || value === "") throw errors.missingParameter(name);
  return value;
}

/**
 * Checks a signed RPC request (V2: signature in the params) the way the public gateway does.
 * Cheap shape checks come first; the shared checks follow in `admit`.
 */
export function authenticate(
  ctx: AuthContext & { method: string; params: Readonly<Record<string, string>> },
): AccessKey {
  const { params } = ctx;
  const accessKeyId = required(params, "AccessKeyId");
  const signature = required(params, "Signature");
  const signatureMethod = required(params, "SignatureMethod");
  const signatureVersion = required(params, "SignatureVersion");
  const timestamp = required(params, "Timestamp");
  const nonce = checkNonce(required(params, "SignatureNonce"), "SignatureNonce");
  if (signatureMethod !== "HMAC-SHA1") throw errors.invalidSignatureMethod();
  if (signatureVersion !== "1.0") throw errors.invalidSignatureVersion();
  const sentAt = parseTimestamp(timestamp);
  if (sentAt === undefined) throw errors.timestampFormat();
  return admit(ctx, {
    accessKeyId,
    sentAt,
    nonce,
    securityToken: params.SecurityToken,
    signedWith: (secret) =>
      signatureMatches(computeSignature(ctx.method, params, secret), signature),
    mismatch: () => errors.signatureMismatch(stringToSign(ctx.method, params)),
  });
}

export function checkNonce(nonce: string, shownAs: string): string {
  if (nonce.length > MAX_NONCE_LENGTH) {
    throw errors.invalidParameter(`${shownAs} must be at most ${MAX_NONCE_LENGTH} characters.`);
  }
  return nonce;
}

/**
 * The checks both versions share, in the gateway's order. The nonce is claimed last so a
 * request that fails any other check cannot burn a nonce the legitimate caller still needs.
 */
export function admit(ctx: AuthContext, claim: Claim): AccessKey {
  const key = ctx.keys.get(claim.accessKeyId);
  if (key === undefined) throw errors.accessKeyNotFound();
  if (!claim.signedWith(key.secret)) throw claim.mismatch();

  if (Math.abs(ctx.now - claim.sentAt) > TIMESTAMP_WINDOW_MS) throw errors.timestampExpired();

  const token = claim.securityToken;
  if (key.securityToken === undefined) {
    // Strict on purpose: a token sent with a long-term key means the caller mixed up
    // credentials, and accepting it would hide that bug until it met the real gateway.
    if (token !== undefined) throw errors.securityTokenMismatch();
  } else if (token === undefined || token === "") {
    throw errors.missingSecurityToken();
  } else if (!signatureMatches(key.securityToken, token)) {
    throw errors.securityTokenMismatch();
  }

  const expiresAt = claim.sentAt + TIMESTAMP_WINDOW_MS;
  if (!ctx.nonces.claim(claim.nonce, expiresAt, ctx.now)) throw errors.nonceUsed();
  return key;
}
