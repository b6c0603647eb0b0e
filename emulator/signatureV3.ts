import { createHash, createHmac, getHashes } from "node:crypto";
import { errors } from "./errors";
import { percentEncode } from "./signature";

/** V3 algorithms this emulator checks, with the digest each uses for hashes and the HMAC. */
export const V3_ALGORITHMS: ReadonlyMap<string, string> = new Map([
  ["ACS3-HMAC-SHA256", "sha256"],
  // SM3 comes with Node's OpenSSL on most builds; offer it only where it does.
  ...(getHashes().includes("sm3") ? ([["ACS3-HMAC-SM3", "sm3"]] as const) : []),
]);

export interface V3Authorization {
  algorithm: string;
  accessKeyId: string;
  /** Lower case, in the order given. */
  signedHeaders: string[];
  signature: string;
}

const FIELDS = ["Credential", "SignedHeaders", "Signature"] as const;

/**
 * Takes apart `ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex`. Anything
 * malformed is IncompleteSignature naming the part, never an exception of another kind.
 */
export function parseAuthorization(header: string): V3Authorization {
  const space = header.indexOf(" ");
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (!V3_ALGORITHMS.has(algorithm)) {
    throw errors.invalidSignatureMethod([...V3_ALGORITHMS.keys()].join(" or "));
  }
  const fields = new Map<string, string>();
  for (const part of header.slice(algorithm.length).split(",")) {
    const eq = part.indexOf("=");
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (name === "" && eq < 0) continue;
    if (!(FIELDS as readonly string[]).includes(name)) {
      // Not echoed: a misplaced secret would come back in the answer.
      throw errors.incompleteSignature(
        "Authorization may hold only Credential, SignedHeaders and Signature.",
      );
    }
    if (fields.has(name)) throw errors.incompleteSignature(`Authorization repeats ${name}.`);
    fields.set(name, eq < 0 ? "" : part.slice(eq + 1).trim());
  }
  for (const name of FIELDS) {
    if (!fields.has(name)) throw errors.incompleteSignature(`Authorization lacks ${name}.`);
  }
  const accessKeyId = fields.get("Credential") ?? "";
  if (accessKeyId === "") throw errors.missingParameter("AccessKeyId", "Credential");
  const signature = fields.get("Signature") ?? "";
  if (signature === "") throw errors.incompleteSignature("Authorization has an empty Signature.");
  const signedHeaders = (fields.get("SignedHeaders") ?? "").split(";").map((h) => h.trim());
  if (signedHeaders.some((h) => !/^[a-z0-9-]+$/.test(h))) {
    throw errors.incompleteSignature("SignedHeaders must be lower-case header names split by ;.");
  }
  return { algorithm, accessKeyId, signedHeaders, signature };
}

export interface CanonicalParts {
  method: string;
  /** The path as sent; RPC calls always use "/". */
  path: string;
  /** Decoded query pairs, in any order. */
  query: ReadonlyArray<readonly [string, string]>;
  /** Lower-case name to trimmed value, for the signed headers. */
  headers: ReadonlyMap<string, string>;
  signedHeaders: readonly string[];
  payloadHash: string;
}

/** The canonical request: method, path, sorted query, headers, signed names, body hash. */
export function canonicalRequestV3(parts: CanonicalParts): string {
  const query = parts.query
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const names = [...parts.signedHeaders].sort();
  const headers = names.map((name) => `${name}:${parts.headers.get(name) ?? ""}\n`).join("");
  return [
    parts.method.toUpperCase(),
    parts.path,
    query,
    headers,
    names.join(";"),
    parts.payloadHash,
  ].join("\n");
}

export function hashHex(algorithm: string, data: string | Buffer): string {
  return createHash(digestOf(algorithm)).update(data).digest("hex");
}

export function stringToSignV3(algorithm: string, canonicalRequest: string): string {
  return `${algorithm}\n${hashHex(algorithm, canonicalRequest)}`;
}

/** Unlike V2, the key is the bare secret (no trailing "&") and the output is lower-case hex. */
export function signV3(algorithm: string, secret: string, stringToSign: string): string {
  return createHmac(digestOf(algorithm), secret).update(stringToSign, "utf8").digest("hex");
}

function digestOf(algorithm: string): string {
  const digest = V3_ALGORITHMS.get(algorithm);
  if (digest === undefined) throw errors.invalidSignatureMethod(algorithm);
  return digest;
}
