import { createHash, createHmac, randomUUID } from "node:crypto";
import { exchange, isoSeconds, KEY1, type Reply, rfc3986 } from "./helpers";

// A V3 (ACS3-HMAC-SHA256) signer of the tests' own, kept apart from emulator/signatureV3.ts
// so that a mistake in one does not hide in both.

export interface V3Options {
  method?: "GET" | "POST";
  key?: { id: string; secret: string; securityToken?: string };
  /** Sign with this secret instead of the key's own. */
  secret?: string;
  query?: Record<string, string>;
  /** Sent as a form body. */
  form?: Record<string, string>;
  /** Common headers to add or, with undefined, leave out (before signing). */
  headers?: Record<string, string | undefined>;
  /** Headers sent but not signed. */
  unsigned?: Record<string, string | string[]>;
  /** Replaces the Authorization header that would be sent. */
  authorization?: string;
  /** Applied after signing: what a tamperer changes on the wire. */
  tamper?: { query?: Record<string, string>; body?: string };
  at?: number;
  action?: string;
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

function encodePairs(pairs: Record<string, string>): string {
  return Object.keys(pairs)
    .sort()
    .map((k) => `${rfc3986(k)}=${rfc3986(pairs[k] as string)}`)
    .join("&");
}

/** Builds, signs and sends one V3 call to DescribeUserOnlineClientStatistics (by default). */
export function sendV3(baseUrl: string, options: V3Options = {}): Promise<Reply> {
  const method = options.method ?? "POST";
  const key: NonNullable<V3Options["key"]> = options.key ?? KEY1;
  const url = new URL(baseUrl);
  const body = options.form === undefined ? "" : encodePairs(options.form);
  const all: Record<string, string | undefined> = {
    host: url.host,
    "x-acs-action": options.action ?? "DescribeUserOnlineClientStatistics",
    "x-acs-version": "2018-03-13",
    "x-acs-date": isoSeconds(options.at ?? Date.now()),
    "x-acs-signature-nonce": randomUUID(),
    "x-acs-content-sha256": sha256(body),
    ...(options.form === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" }),
    ...(key.securityToken === undefined ? {} : { "x-acs-security-token": key.securityToken }),
    ...options.headers,
  };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) if (v !== undefined) headers[k] = v;
  const names = Object.keys(headers).sort();
  const canonical = [
    method,
    "/",
    encodePairs(options.query ?? {}),
    names.map((n) => `${n}:${headers[n]}\n`).join(""),
    names.join(";"),
    sha256(body),
  ].join("\n");
  const toSign = `ACS3-HMAC-SHA256\n${sha256(canonical)}`;
  const signature = createHmac("sha256", options.secret ?? key.secret)
    .update(toSign)
    .digest("hex");
  const authorization =
    options.authorization ??
    `ACS3-HMAC-SHA256 Credential=${key.id},SignedHeaders=${names.join(";")},Signature=${signature}`;
  const query = encodePairs({ ...options.query, ...options.tamper?.query });
  const payload = Buffer.from(options.tamper?.body ?? body);
  return exchange(url, method, `/${query === "" ? "" : `?${query}`}`, payload, {
    ...headers,
    ...options.unsigned,
    authorization,
    "content-length": String(payload.length),
  });
}

/** The query of a describe call for these names. */
export function describeQuery(
  names: readonly string[],
  instance = "sag-demo0001",
): Record<string, string> {
  const query: Record<string, string> = { RegionId: "cn-shanghai", SmartAGId: instance };
  names.forEach((n, i) => {
    query[`UserNames.${i + 1}`] = n;
  });
  return query;
}
