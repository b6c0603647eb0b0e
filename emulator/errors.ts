import { randomUUID } from "node:crypto";

/** An answer in Alibaba Cloud's error shape; thrown inside the emulator, never to callers. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ErrorBody {
  RequestId: string;
  HostId: string;
  Code: string;
  Message: string;
  Recommend: string;
}

export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

export function errorBody(err: ApiError, requestId: string, hostId: string): ErrorBody {
  return {
    RequestId: requestId,
    HostId: hostId,
    Code: err.code,
    Message: err.message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(err.code)}&product=Smartag`,
  };
}

// Messages follow the public gateway's wording where it is known, so clients that
// match on text (they should not, but some do) behave the same against the emulator.
export const errors = {
  /** `shownAs` names where the caller put it, e.g. the V3 header x-acs-date for Timestamp. */
  missingParameter: (name: string, shownAs = name) =>
    new ApiError(400, `Missing${name}`, `${shownAs} is mandatory for this action.`),
  invalidParameter: (message: string) => new ApiError(400, "InvalidParameter", message),
  unsupportedMethod: (method: string) =>
    new ApiError(405, "UnsupportedHTTPMethod", `The HTTP method ${method} is not supported.`),
  invalidFormat: () =>
    new ApiError(
      400,
      "InvalidParameter",
      "The specified parameter Format is not valid: JSON or XML (any case).",
    ),
  invalidSignatureMethod: (supported = "HMAC-SHA1") =>
    new ApiError(
      400,
      "InvalidSignatureMethod",
      `Specified signature method is not supported: use ${supported}.`,
    ),
  invalidSignatureVersion: () =>
    new ApiError(
      400,
      "InvalidSignatureVersion",
      "Specified signature version is not supported: use 1.0.",
    ),
  accessKeyNotFound: () =>
    new ApiError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."),
  /**
   * Worded as the public gateway words it: it quotes the string it signed, which holds every
   * request parameter, the STS token included. Clients must not pass that on.
   */
  signatureMismatch: (stringToSign: string) =>
    new ApiError(
      400,
      "SignatureDoesNotMatch",
      `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`,
    ),
  /** V3: an Authorization header the gateway cannot take apart; `detail` says which part. */
  incompleteSignature: (detail: string) =>
    new ApiError(
      400,
      "IncompleteSignature",
      `The request signature does not conform to Aliyun standards. ${detail}`,
    ),
  contentHashMismatch: () =>
    new ApiError(
      400,
      "SignatureDoesNotMatch",
      "The x-acs-content-sha256 header does not match the hash of the request body.",
    ),
  timestampFormat: () =>
    new ApiError(
      400,
      "InvalidTimeStamp.Format",
      "Specified time stamp or date value is not well formatted.",
    ),
  timestampExpired: () =>
    new ApiError(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."),
  nonceUsed: () =>
    new ApiError(400, "SignatureNonceUsed", "Specified signature nonce was used already."),
  missingSecurityToken: () =>
    new ApiError(400, "MissingSecurityToken", "SecurityToken is mandatory for an STS AccessKey."),
  securityTokenMismatch: () =>
    new ApiError(
      400,
      "InvalidSecurityToken.MismatchWithAccessKey",
      "Specified SecurityToken mismatch with the AccessKey.",
    ),
  securityTokenExpired: () =>
    new ApiError(400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired."),
  actionNotFound: () =>
    new ApiError(
      404,
      "InvalidAction.NotFound",
      "Specified api is not found, please check your url and method.",
    ),
  invalidVersion: (version: string) =>
    new ApiError(
      400,
      "InvalidVersion",
      `Specified parameter Version is not valid: ${JSON.stringify(clip(version))}.`,
    ),
  throttled: () =>
    new ApiError(400, "Throttling.User", "Request was denied due to user flow control."),
  serviceUnavailable: () =>
    new ApiError(
      503,
      "ServiceUnavailable",
      "The request has failed due to a temporary failure of the server.",
    ),
  internalError: () =>
    new ApiError(
      500,
      "InternalError",
      "The request processing has failed due to some unknown error, exception or failure.",
    ),
  instanceIdEmpty: () =>
    new ApiError(400, "SAG.InstanceIdEmpty", "You must specify the SAG instance ID."),
  instanceNotFound: () =>
    new ApiError(400, "SAG.InstanceNoFound", "The specified SAG instance does not exist."),
  unknownSmartAgId: () =>
    new ApiError(
      400,
      "InvalidId.SMARTAG",
      "The specified smart access gateway instance ID does not exist.",
    ),
  userNameEmpty: () => new ApiError(400, "ClientUser.NameEmpty", "You must specify UserName."),
  userNameInvalid: (value: string) =>
    new ApiError(
      400,
      "ClientUser.NameInvalid",
      `The specified UserName is invalid: ${JSON.stringify(clip(value))}.`,
    ),
} as const;

/** Echoed values are clipped so a hostile request cannot make the error body huge. */
export function clip(value: string, max = 64): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
