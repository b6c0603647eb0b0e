/**
 * Errors raised by the Smartag client. Every error is data first: a stable `code`, the
 * `requestId` when the API answered, and whether retrying could help. Messages are built here
 * from fields we control, so no credential can leak through a message copied from a library.
 */

/** One problem with the input: the field it concerns and the rule it breaks. */
export interface ValidationIssue {
  /** Dotted path of the bad field, e.g. `userNames[3]`. */
  readonly property: string;
  /** The rule the value breaks, said so a person can fix it. */
  readonly reason: string;
  /**
   * Other settings the rule read, for rules across keys (`secretKey` is required when
   * `accessKey` is set): while one of them is not known yet, the rule cannot be judged.
   */
  readonly dependsOn?: readonly string[];
}

const marker = Symbol.for("pulumi-smartag:SmartagError");

/** Base of every error this package throws. */
export class SmartagError extends Error {
  override readonly name: string = "SmartagError";
  /** A stable machine-readable code: the API's error code, or one of ours. */
  readonly code: string;
  /** The API's RequestId, when a request reached it. */
  readonly requestId: string | undefined;
  /** Whether the same call may succeed if tried again. */
  readonly retryable: boolean;

  constructor(
    message: string,
    options: { code: string; requestId?: string | undefined; retryable?: boolean; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.requestId = options.requestId;
    this.retryable = options.retryable ?? false;
    Object.defineProperty(this, marker, { value: true });
  }

  /** True for errors of this package, even across copies of the module. */
  static isInstance(e: unknown): e is SmartagError {
    return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[marker] === true;
  }
}

/** The input was rejected before any request was sent. */
export class SmartagValidationError extends SmartagError {
  override readonly name = "SmartagValidationError";
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[]) {
    super(formatIssues(issues), { code: "InvalidInput" });
    this.issues = issues;
  }
}

/** Problems listed in a message; the full list stays on `issues`. */
const MAX_LISTED_ISSUES = 20;

/** One line per problem, every problem at once, so a user fixes them in one go. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  const lines = issues.slice(0, MAX_LISTED_ISSUES).map((i) => `  - ${i.property}: ${i.reason}`);
  if (issues.length > MAX_LISTED_ISSUES) {
    lines.push(`  - ... and ${issues.length - MAX_LISTED_ISSUES} more`);
  }
  const count = `${issues.length} problem${issues.length === 1 ? "" : "s"}`;
  return `invalid input (${count}):\n${lines.join("\n")}`;
}

/** Fields of an error answer from the API. */
export interface ApiErrorFields {
  code: string;
  apiMessage: string;
  /** What the error concerns when the API does not say, e.g. `smartAgId sag-x`; shown before the RequestId. */
  about?: string | undefined;
  requestId?: string | undefined;
  httpStatus?: number | undefined;
  hostId?: string | undefined;
  recommend?: string | undefined;
}

/** The API answered with an error code. */
export class SmartagApiError extends SmartagError {
  override readonly name = "SmartagApiError";
  /** The API's own message, unchanged. */
  readonly apiMessage: string;
  readonly about: string | undefined;
  readonly httpStatus: number | undefined;
  readonly hostId: string | undefined;
  /** The troubleshooting link the API sent. */
  readonly recommend: string | undefined;
  /** What a person can do about it, for the codes we know. */
  readonly hint: string | undefined;

  constructor(fields: ApiErrorFields) {
    const hint = hintFor(fields.code);
    const parts = [`${fields.code}: ${fields.apiMessage}`];
    if (fields.about) parts.push(`(${fields.about})`);
    if (fields.requestId) parts.push(`(RequestId: ${fields.requestId})`);
    let message = parts.join(" ");
    if (hint) message += `\nhint: ${hint}`;
    super(message, {
      code: fields.code,
      requestId: fields.requestId,
      retryable: isRetryableApiError(fields.code, fields.httpStatus),
    });
    this.apiMessage = fields.apiMessage;
    this.about = fields.about;
    this.httpStatus = fields.httpStatus;
    this.hostId = fields.hostId;
    this.recommend = fields.recommend;
    this.hint = hint;
  }
}

/** A request got no answer in time (connect or read). */
export class SmartagTimeoutError extends SmartagError {
  override readonly name = "SmartagTimeoutError";
  constructor(message: string, cause?: unknown) {
    super(message, { code: "RequestTimeout", retryable: true, cause });
  }
}

/** The connection failed or broke before an answer arrived. */
export class SmartagNetworkError extends SmartagError {
  override readonly name = "SmartagNetworkError";
  constructor(message: string, code: string, cause?: unknown) {
    super(message, { code, retryable: RETRYABLE_NETWORK_CODES.has(code), cause });
  }
}

/** The answer was not what the API promises: not JSON, or JSON of the wrong shape. */
export class SmartagResponseError extends SmartagError {
  override readonly name = "SmartagResponseError";
  constructor(
    message: string,
    options: { code: string; retryable: boolean; requestId?: string | undefined },
  ) {
    super(message, options);
  }
}

/**
 * The call's total deadline passed, or would pass before the next attempt could be made (a
 * backoff or a rate-limit wait longer than the time left: `early`); `cause` is the last error
 * seen, if any.
 */
export class SmartagDeadlineError extends SmartagError {
  override readonly name = "SmartagDeadlineError";
  constructor(deadlineMs: number, attempts: number, cause?: unknown, early = false) {
    const last = SmartagError.isInstance(cause) ? `; last error: ${cause.message}` : "";
    const what = early ? "would pass before another attempt, after" : "exceeded after";
    super(`deadline of ${deadlineMs} ms ${what} ${attempts} attempt(s)${last}`, {
      code: "DeadlineExceeded",
      retryable: false,
      cause,
    });
  }
}

/** No credentials could be found, or the credential chain failed. */
export class SmartagCredentialsError extends SmartagError {
  override readonly name = "SmartagCredentialsError";
  constructor(message: string) {
    super(message, { code: "NoCredentials" });
  }
}

/**
 * Codes that say "try again later". Throttling codes vary across Alibaba Cloud products, so
 * the known spellings are listed rather than guessed by prefix alone.
 */
export const RETRYABLE_API_CODES: ReadonlySet<string> = new Set([
  "Throttling",
  "Throttling.User",
  "Throttling.Api",
  "Throttling.Tenant",
  "ServiceUnavailable",
  "InternalError",
  "UnknownError",
  "RequestTimeout",
]);

/** Socket error codes after which a fresh attempt may succeed. */
export const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "SocketHangUp",
]);

/** A signature nonce clash is the only 4xx that a plain retry (with a new nonce) cures. */
const RETRYABLE_CLIENT_CODES: ReadonlySet<string> = new Set(["SignatureNonceUsed"]);

export function isRetryableApiError(code: string, httpStatus: number | undefined): boolean {
  if (RETRYABLE_API_CODES.has(code) || RETRYABLE_CLIENT_CODES.has(code)) return true;
  if (code.startsWith("Throttling")) return true;
  // 429 is "too many requests" whatever code a gateway in front of the API gives it.
  return httpStatus !== undefined && (httpStatus >= 500 || httpStatus === 429);
}

/** What a person can do, for the codes the API documents and the common ones. */
const HINTS: Readonly<Record<string, string>> = {
  "ClientUser.NameEmpty":
    "pass a username (userNames, or userName for the devices of one account).",
  "ClientUser.NameInvalid":
    "usernames are 7-33 characters, start with a letter or digit, and contain only letters, digits, _ @ . and -.",
  "SAG.InstanceIdEmpty": "set smartAgId to the ID of the SAG APP instance (e.g. sag-xxxxxxxx).",
  "SAG.InstanceNoFound":
    "check smartAgId and regionId: the instance must exist in that region and be visible to these credentials (Smart Access Gateway console, or DescribeSmartAccessGateways).",
  "InvalidId.SMARTAG":
    "check smartAgIds and regionId: each instance must exist in that region and be visible to these credentials.",
  "InvalidAccessKeyId.NotFound":
    "the AccessKey ID is unknown: check accessKey / ALIBABA_CLOUD_ACCESS_KEY_ID, and that the key is enabled.",
  SignatureDoesNotMatch:
    "the AccessKey secret does not match the AccessKey ID: check secretKey / ALIBABA_CLOUD_ACCESS_KEY_SECRET.",
  "InvalidTimeStamp.Expired": "the local clock is too far off the API's: sync it (NTP).",
  MissingSecurityToken: "this is an STS AccessKey: also set securityToken.",
  "InvalidSecurityToken.Expired": "the STS token has expired: get a new one.",
  "InvalidSecurityToken.MismatchWithAccessKey":
    "the STS token does not belong to this AccessKey: set the matching securityToken.",
  "Forbidden.RAM":
    "the RAM user or role lacks permission: grant the smartag:Describe... action of the call (DescribeUserOnlineClientStatistics, and DescribeSmartAccessGatewayClientUsers to count or list every account).",
  MissingRegionId: "set regionId, or the provider's region.",
  "InvalidAction.NotFound":
    "the endpoint does not serve DescribeUserOnlineClientStatistics: check endpoint and region.",
  "Throttling.User": "the API throttled the calls: lower concurrency or try again later.",
};

export function hintFor(code: string): string | undefined {
  return HINTS[code];
}
