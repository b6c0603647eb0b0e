/**
 * A stand-in for Alibaba Cloud STS (version 2015-04-01, RPC style): `AssumeRole`, signed with a
 * fixture key like any other request, and `AssumeRoleWithOIDC`, which carries an OIDC token
 * instead of a signature. Each answers a temporary AccessKey pair and SecurityToken that the
 * emulator's Smartag actions then accept until the session expires.
 */
import { randomBytes, randomInt } from "node:crypto";
import { type AuthContext, authenticate } from "./auth";
import { ApiError, errors } from "./errors";
import type { AccessKey } from "./fixture";
import { signatureMatches } from "./signature";

export const STS_VERSION = "2015-04-01";
/** STS allows 900 s up to the role's maximum session, at most 12 hours. */
export const MIN_SESSION_SECONDS = 900;
export const MAX_SESSION_SECONDS = 43_200;

const ROLE_ARN = /^acs:ram::(\d+):role\/([A-Za-z0-9._@-]{1,64})$/i;
const SESSION_NAME = /^[A-Za-z0-9.@_-]{2,64}$/;

export interface StsOptions {
  /** PEM certificate and key the HTTPS listener presents (`@alicloud/credentials` forces https). */
  cert: string | Buffer;
  key: string | Buffer;
  /** Port of the HTTPS listener (default 0: the OS picks one). */
  port?: number;
  /** Role ARNs that exist; others are `EntityNotExist.Role`. Default: every well-formed ARN. */
  roles?: string[];
  /** OIDC providers AssumeRoleWithOIDC trusts: provider ARN to the one token it accepts. */
  oidcProviders?: Record<string, string>;
}

/** One session the stand-in handed out; tests check its secret and token never leak. */
export interface StsSession {
  action: "AssumeRole" | "AssumeRoleWithOIDC";
  roleArn: string;
  roleSessionName: string;
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  /** The key that signed AssumeRole; undefined for OIDC. */
  sourceAccessKeyId: string | undefined;
  durationSeconds: number;
  externalId: string | undefined;
  policy: string | undefined;
  expiresAt: number;
}

type Params = Readonly<Record<string, string>>;

export class StsStandIn {
  readonly sessions: StsSession[] = [];
  private readonly issued = new Map<string, { key: AccessKey; expiresAt: number }>();

  constructor(private readonly options: StsOptions) {}

  /** A temporary key this stand-in issued, while it is valid. */
  key(id: string, now: number): AccessKey | undefined {
    const t = this.issued.get(id);
    return t !== undefined && now < t.expiresAt ? t.key : undefined;
  }

  /** True for a temporary key whose session is over. */
  expired(id: string | undefined, now: number): boolean {
    const t = id === undefined ? undefined : this.issued.get(id);
    return t !== undefined && now >= t.expiresAt;
  }

  /** Answers one STS request; `auth` checks AssumeRole's signature. */
  answer(params: Params, auth: AuthContext & { method: string }, requestId: string): object {
    const action = params.Action;
    if (action === undefined || action === "") throw errors.missingParameter("Action");
    if (action !== "AssumeRole" && action !== "AssumeRoleWithOIDC") throw errors.actionNotFound();
    const version = params.Version;
    if (version === undefined || version === "") throw errors.missingParameter("Version");
    if (version !== STS_VERSION) throw errors.invalidVersion(version);
    let source: AccessKey | undefined;
    if (action === "AssumeRole") source = authenticate({ ...auth, params });
    else this.checkOidc(params);
    const roleArn = required(params, "RoleArn");
    const role = ROLE_ARN.exec(roleArn);
    if (!role) throw invalid("RoleArn", "The parameter RoleArn is wrongly formed.");
    if (this.options.roles && !this.options.roles.includes(roleArn)) {
      throw new ApiError(404, "EntityNotExist.Role", "The role not exists.");
    }
    const roleSessionName = required(params, "RoleSessionName");
    if (!SESSION_NAME.test(roleSessionName)) {
      throw invalid("RoleSessionName", "The parameter RoleSessionName is wrongly formed.");
    }
    const durationSeconds = Number(params.DurationSeconds ?? 3600);
    if (
      !Number.isInteger(durationSeconds) ||
      durationSeconds < MIN_SESSION_SECONDS ||
      durationSeconds > MAX_SESSION_SECONDS
    ) {
      throw invalid(
        "DurationSeconds",
        `DurationSeconds must be from ${MIN_SESSION_SECONDS} to ${MAX_SESSION_SECONDS}.`,
      );
    }
    if (params.Policy !== undefined && !isJsonObject(params.Policy)) {
      throw new ApiError(400, "InvalidParameter.PolicyGrammar", "The policy has a syntax error.");
    }
    const expiresAt = auth.now + durationSeconds * 1000;
    const [id, secret, securityToken] = [
      `STS.${token(18, "hex")}`,
      token(30, "base64"),
      `CAIS${token(96, "base64")}`,
    ];
    this.issued.set(id, { key: { id, secret, securityToken }, expiresAt });
    this.sessions.push({
      action,
      roleArn,
      roleSessionName,
      accessKeyId: id,
      accessKeySecret: secret,
      securityToken,
      sourceAccessKeyId: source?.id,
      durationSeconds,
      externalId: params.ExternalId,
      policy: params.Policy,
      expiresAt,
    });
    return {
      RequestId: requestId,
      AssumedRoleUser: {
        Arn: `acs:ram::${role[1]}:role/${role[2]}/${roleSessionName}`,
        AssumedRoleId: `${randomInt(1e9, 1e10)}${randomInt(1e7, 1e8)}:${roleSessionName}`,
      },
      Credentials: {
        AccessKeyId: id,
        AccessKeySecret: secret,
        SecurityToken: securityToken,
        Expiration: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
      },
    };
  }

  /** The provider must be one the stand-in trusts, and the token the one it accepts. */
  private checkOidc(params: Params): void {
    const providerArn = required(params, "OIDCProviderArn");
    const token = required(params, "OIDCToken");
    const expected = this.options.oidcProviders?.[providerArn];
    if (expected === undefined) {
      throw new ApiError(404, "EntityNotExist.OIDCProvider", "The OIDC provider does not exist.");
    }
    if (!signatureMatches(expected, token.trim())) {
      throw new ApiError(400, "AuthenticationFail.OIDCToken.Invalid", "The OIDC token is invalid.");
    }
  }
}

function required(params: Params, name: string): string {
  const value = params[name];
  if (value === undefined || value === "") throw errors.missingParameter(name);
  return value;
}

function invalid(name: string, message: string): ApiError {
  return new ApiError(400, `InvalidParameter.${name}`, message);
}

function isJsonObject(text: string): boolean {
  try {
    const v = JSON.parse(text);
    return v !== null && typeof v === "object" && !Array.isArray(v);
  } catch {
    return false;
  }
}

function token(bytes: number, encoding: "hex" | "base64"): string {
  return randomBytes(bytes).toString(encoding);
}
