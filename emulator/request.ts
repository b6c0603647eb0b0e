import type { IncomingMessage } from "node:http";
import { type ApiError, errors } from "./errors";

export const MAX_BODY_BYTES = 1024 * 1024;

/** Which signature a request carries: an Authorization header means V3, else V2 params. */
export type SignatureVersion = "v2" | "v3";

export interface ParsedRequest {
  method: string;
  /** The path as sent, query cut off. */
  path: string;
  /** Decoded query pairs in the order sent; V3 signs them. */
  query: Array<[string, string]>;
  /** Query and form body merged; for V3 also Action and Version from their headers. */
  params: Record<string, string>;
  /** The raw body; V3 signs its hash. Empty when it was over the cap. */
  body: Buffer;
  /** Lower-case header name to every value sent under it. */
  headers: Readonly<Record<string, readonly string[] | undefined>>;
  signatureVersion: SignatureVersion;
  /** Found while parsing, answered only after the faults stage. */
  problem?: ApiError;
}

/** The whole body, or undefined past MAX_BODY_BYTES (read to the end so the answer can go out). */
export function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined));
    req.on("error", reject);
  });
}

/** Query, form body and (V3) action headers merged; a key given twice cannot be signed, so it is refused. */
export function parseRequest(req: IncomingMessage, body: Buffer | undefined): ParsedRequest {
  const params: Record<string, string> = Object.create(null);
  let problem: ApiError | undefined;
  const add = (pairs: Iterable<[string, string]>) => {
    for (const [key, value] of pairs) {
      if (Object.hasOwn(params, key)) {
        problem ??= errors.invalidParameter(`The parameter ${key} is given more than once.`);
      }
      params[key] = value;
    }
  };
  // Split by hand: new URL() would read a path like "//x" as a host and hide it.
  const target = req.url ?? "/";
  const mark = target.indexOf("?");
  const path = mark < 0 ? target : target.slice(0, mark);
  const query = [...new URLSearchParams(mark < 0 ? "" : target.slice(mark + 1))];
  add(query);
  if (body === undefined) {
    problem ??= errors.invalidParameter(`The request body exceeds ${MAX_BODY_BYTES} bytes.`);
  } else if (isForm(req) && body.length > 0) {
    add(new URLSearchParams(body.toString("utf8")));
  }
  const headers = req.headersDistinct;
  const signatureVersion = headers.authorization === undefined ? "v2" : "v3";
  if (signatureVersion === "v3") {
    problem ??= repeatedHeader(headers);
    add(actionHeaders(headers));
  }
  const method = req.method ?? "";
  if (method !== "GET" && method !== "POST") problem ??= errors.unsupportedMethod(method);
  if (path !== "/") problem ??= errors.actionNotFound();
  const parsed = { method, path, query, params, body: body ?? Buffer.alloc(0), headers };
  return { ...parsed, signatureVersion, ...(problem === undefined ? {} : { problem }) };
}

function actionHeaders(headers: ParsedRequest["headers"]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const action = headers["x-acs-action"]?.[0];
  const version = headers["x-acs-version"]?.[0];
  if (action !== undefined) pairs.push(["Action", action]);
  if (version !== undefined) pairs.push(["Version", version]);
  return pairs;
}

/** A header that takes part in V3 signing must come once: two values have no one canonical form. */
function repeatedHeader(headers: ParsedRequest["headers"]): ApiError | undefined {
  for (const [name, values] of Object.entries(headers)) {
    const signs = name === "authorization" || name === "host" || name.startsWith("x-acs-");
    if (signs && values !== undefined && values.length > 1) {
      return errors.invalidParameter(`The header ${name} is given more than once.`);
    }
  }
  return undefined;
}

function isForm(req: IncomingMessage): boolean {
  const type = req.headers["content-type"];
  // A missing content type is read as a form: some HTTP clients omit it for POST bodies.
  return (
    type === undefined ||
    type.split(";")[0]?.trim().toLowerCase() === "application/x-www-form-urlencoded"
  );
}

/** The header's one value, or undefined when absent. */
export function header(request: ParsedRequest, name: string): string | undefined {
  return request.headers[name]?.[0];
}
