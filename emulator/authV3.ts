import { type AuthContext, admit, checkNonce, parseTimestamp } from "./auth";
import { errors } from "./errors";
import type { AccessKey } from "./fixture";
import { header, type ParsedRequest } from "./request";
import { signatureMatches } from "./signature";
import {
  canonicalRequestV3,
  hashHex,
  parseAuthorization,
  signV3,
  stringToSignV3,
} from "./signatureV3";

/**
 * Checks an ACS3 (V3) request: the Authorization header, the signed headers, the body hash,
 * then the checks V2 shares (key, signature, date window, STS token, nonce).
 */
export function authenticateV3(request: ParsedRequest, ctx: AuthContext): AccessKey {
  const auth = parseAuthorization(header(request, "authorization") ?? "");
  const date = requiredHeader(request, "x-acs-date", "Timestamp");
  const nonceHeader = "x-acs-signature-nonce";
  const nonce = checkNonce(requiredHeader(request, nonceHeader, "SignatureNonce"), nonceHeader);
  const contentHash = header(request, "x-acs-content-sha256");
  if (contentHash === undefined) {
    throw errors.incompleteSignature("The header x-acs-content-sha256 is missing.");
  }
  const signed = checkSignedHeaders(request, auth.signedHeaders);
  const sentAt = parseTimestamp(date);
  if (sentAt === undefined) throw errors.timestampFormat();
  const payloadHash = hashHex(auth.algorithm, request.body);
  if (contentHash.toLowerCase() !== payloadHash) throw errors.contentHashMismatch();

  const toSign = stringToSignV3(
    auth.algorithm,
    canonicalRequestV3({
      method: request.method,
      path: request.path,
      query: request.query,
      headers: signed,
      signedHeaders: auth.signedHeaders,
      payloadHash,
    }),
  );
  return admit(ctx, {
    accessKeyId: auth.accessKeyId,
    sentAt,
    nonce,
    securityToken: header(request, "x-acs-security-token"),
    signedWith: (secret) =>
      signatureMatches(signV3(auth.algorithm, secret, toSign), auth.signature),
    // The string to sign holds only a hash of the request, so quoting it leaks nothing.
    mismatch: () => errors.signatureMismatch(toSign),
  });
}

function requiredHeader(request: ParsedRequest, name: string, param: string): string {
  const value = header(request, name);
  if (value === undefined || value === "") throw errors.missingParameter(param, name);
  return value;
}

/**
 * Host and every x-acs-* header sent must be signed, and every signed header must be sent.
 * Returns the signed headers' trimmed values by name.
 */
function checkSignedHeaders(
  request: ParsedRequest,
  signedHeaders: readonly string[],
): Map<string, string> {
  const signed = new Map<string, string>();
  for (const name of signedHeaders) {
    const value = header(request, name);
    if (signed.has(name)) throw errors.incompleteSignature(`SignedHeaders repeats ${name}.`);
    if (value === undefined) {
      throw errors.incompleteSignature(`The signed header ${name} is not in the request.`);
    }
    signed.set(name, value.trim());
  }
  for (const name of Object.keys(request.headers)) {
    if ((name === "host" || name.startsWith("x-acs-")) && !signed.has(name)) {
      throw errors.incompleteSignature(`The header ${name} must be signed.`);
    }
  }
  return signed;
}
