import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * Alibaba Cloud's RPC flavour of RFC 3986 encoding. encodeURIComponent leaves
 * `! ' ( ) *` alone, and the gateway signs them encoded, so a client that skips
 * this step only fails for values that happen to contain them.
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Sorted by code unit, as the gateway does (plain `<`, not localeCompare). */
export function canonicalQuery(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((key) => key !== "Signature")
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((key) => `${percentEncode(key)}=${percentEncode(params[key] ?? "")}`)
    .join("&");
}

export function stringToSign(method: string, params: Readonly<Record<string, string>>): string {
  return `${method.toUpperCase()}&${percentEncode("/")}&${percentEncode(canonicalQuery(params))}`;
}

export function computeSignature(
  method: string,
  params: Readonly<Record<string, string>>,
  accessKeySecret: string,
): string {
  return createHmac("sha1", `${accessKeySecret}&`)
    .update(stringToSign(method, params), "utf8")
    .digest("base64");
}

/**
 * Both sides are hashed first so timingSafeEqual gets equal lengths and the
 * comparison time does not reveal how long the expected signature is.
 */
export function signatureMatches(expected: string, received: string): boolean {
  const a = createHash("sha256").update(expected, "utf8").digest();
  const b = createHash("sha256").update(received, "utf8").digest();
  return timingSafeEqual(a, b);
}
