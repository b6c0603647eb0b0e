/**
 * Request and response schemas. Requests are checked before any network call and every
 * problem is reported at once; responses are checked so that a malformed answer fails loudly
 * instead of turning into a wrong count.
 */
import { z } from "zod";
import type { ValidationIssue } from "./errors";

/** The API answers at most this many names per call. */
export const MAX_NAMES_PER_REQUEST = 50;
/**
 * A guard against runaway inputs (a whole directory pasted by mistake): 200 API calls. Larger
 * populations are better queried in several deployments or with the CLI's --users-file.
 */
export const MAX_NAMES_PER_CALL = 10_000;
/**
 * Client accounts read per DescribeSmartAccessGatewayClientUsers request. The API does not
 * publish its maximum page size; 50 is assumed, as for the names of the statistics call.
 */
export const CLIENT_USERS_PAGE_SIZE = 50;
/** Client accounts one listing may return, the guard MAX_NAMES_PER_CALL sets for names. */
export const MAX_CLIENT_USERS = MAX_NAMES_PER_CALL;
/** The same guard for instance ids: an account rarely has more than a handful of instances. */
export const MAX_SAG_IDS_PER_CALL = 1_000;

/** Region ids such as `cn-shanghai`, `ap-southeast-1`, `cn-hangzhou-finance`. */
export const REGION_PATTERN = /^[a-z]{2,}(-[a-z0-9]+)+$/;
/** SAG instance ids such as `sag-sfjg1234`. */
export const SAG_ID_PATTERN = /^sag-[a-z0-9]+$/i;
/** Usernames of SAG client accounts, as the create-user API accepts them. */
export const USER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_@.-]{6,32}$/;

const regionId = z
  .string({ error: "must be a string" })
  .regex(REGION_PATTERN, { error: "must be a region id such as cn-shanghai" });

const userName = z
  .string({
    error: (iss) => (iss.input === undefined ? "is required: a username" : "must be a string"),
  })
  .min(7, { error: "must be at least 7 characters" })
  .max(33, { error: "must be at most 33 characters" })
  .regex(USER_NAME_PATTERN, {
    error:
      "must start with a letter or digit and contain only letters, digits, and the characters _ @ . -",
  });

const sagId = z
  .string({ error: "is required: the SAG APP instance id, such as sag-sfjg1234" })
  .regex(SAG_ID_PATTERN, { error: "must be a SAG instance id such as sag-sfjg1234" });

const notAnObject = {
  error: (iss: { code?: string }) =>
    iss.code === "unrecognized_keys" ? undefined : "must be an object",
};

export const statisticsRequestSchema = z.strictObject(
  {
    regionId: regionId.optional(),
    smartAgId: sagId,
    // Left out, every client account of the instance is counted; an empty list is a mistake.
    userNames: z
      .array(userName, { error: "must be a list of usernames" })
      .min(1, { error: "must list at least one username (leave it out to count every account)" })
      .max(MAX_NAMES_PER_CALL, { error: `must list at most ${MAX_NAMES_PER_CALL} usernames` })
      .optional(),
  },
  notAnObject,
);

/**
 * What a caller asks for. `regionId` may come from the client's default region instead;
 * without `userNames`, every client account of the instance is counted.
 */
export type StatisticsRequest = z.infer<typeof statisticsRequestSchema>;

export const sagStatisticsRequestSchema = z.strictObject(
  {
    regionId: regionId.optional(),
    smartAgIds: z
      .array(
        z
          .string({ error: "must be a string" })
          .regex(SAG_ID_PATTERN, { error: "must be a SAG instance id such as sag-sfjg1234" }),
        { error: "is required: a list of SAG APP instance ids" },
      )
      .min(1, { error: "must list at least one SAG instance id" })
      .max(MAX_SAG_IDS_PER_CALL, {
        error: `must list at most ${MAX_SAG_IDS_PER_CALL} SAG instance ids`,
      }),
  },
  notAnObject,
);

/** Instances to count online clients for; `regionId` may come from the client's region. */
export type SagStatisticsRequest = z.infer<typeof sagStatisticsRequestSchema>;

/** Plausible email addresses: something@host.domain, without spaces. */
export const USER_MAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const clientUsersRequestSchema = z.strictObject(
  {
    regionId: regionId.optional(),
    smartAgId: sagId,
    userName: userName.optional(),
    userMail: z
      .string({ error: "must be a string" })
      .max(254, { error: "must be at most 254 characters" })
      .regex(USER_MAIL_PATTERN, { error: "must be an email address such as alice@example.com" })
      .optional(),
  },
  notAnObject,
);

/** The client accounts to list: every one of the instance, or those matching the filters. */
export type ClientUsersRequest = z.infer<typeof clientUsersRequestSchema>;

export const userOnlineClientsRequestSchema = z.strictObject(
  {
    regionId: regionId.optional(),
    smartAgId: sagId,
    userName,
  },
  notAnObject,
);

/** The account whose connected devices to list. */
export type UserOnlineClientsRequest = z.infer<typeof userOnlineClientsRequestSchema>;

/** Turns zod issues into ours: a dotted path in the caller's names, and a reason. */
export function toIssues(
  error: z.ZodError,
  known = ["regionId", "smartAgId", "userNames"],
): ValidationIssue[] {
  // zod runs every check of a field; the first broken rule per field is enough to act on.
  const seen = new Set<string>();
  const firstPerField = error.issues.filter((iss) => {
    const key = JSON.stringify(iss.path);
    if (iss.code !== "unrecognized_keys" && seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return firstPerField.map((iss) => {
    if (iss.code === "unrecognized_keys") {
      return {
        property: iss.keys.join(", "),
        reason: `is not a known argument (expected ${known.join(", ")})`,
      };
    }
    return { property: formatPath(iss.path) || "(input)", reason: iss.message };
  });
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

/** Validates a request and returns the problems (empty when it is valid). */
export function checkStatisticsRequest(input: unknown): ValidationIssue[] {
  const result = statisticsRequestSchema.safeParse(input);
  return result.success ? [] : toIssues(result.error);
}

/** Validates a request of getSagOnlineClientStatistics and returns the problems. */
export function checkSagStatisticsRequest(input: unknown): ValidationIssue[] {
  const result = sagStatisticsRequestSchema.safeParse(input);
  return result.success ? [] : toIssues(result.error, ["regionId", "smartAgIds"]);
}

/** Validates a request of describeSmartAccessGatewayClientUsers and returns the problems. */
export function checkClientUsersRequest(input: unknown): ValidationIssue[] {
  const result = clientUsersRequestSchema.safeParse(input);
  return result.success
    ? []
    : toIssues(result.error, ["regionId", "smartAgId", "userName", "userMail"]);
}

/** Validates a request of describeUserOnlineClients and returns the problems. */
export function checkUserOnlineClientsRequest(input: unknown): ValidationIssue[] {
  const result = userOnlineClientsRequestSchema.safeParse(input);
  return result.success ? [] : toIssues(result.error, ["regionId", "smartAgId", "userName"]);
}

/** Non-negative integers, as numbers or (as the API's models often declare them) digit strings. */
const integer = (maxDigits: number) =>
  z.union([
    z.number().int().nonnegative(),
    z
      .string()
      .regex(new RegExp(`^\\d{1,${maxDigits}}$`))
      .transform(Number),
  ]);

const onlineCount = integer(9);

/**
 * `{ <key>: [...] }`, absent or empty when there is nothing to list. Alibaba's XML-to-JSON
 * answers sometimes give a one-item list as the item itself.
 */
const listIn = <K extends string, T extends z.ZodType>(key: K, item: T) =>
  z
    .object({
      [key]: z
        .preprocess(
          (v) => (v !== null && typeof v === "object" && !Array.isArray(v) ? [v] : v),
          z.array(item),
        )
        .optional()
        .default([]),
    } as { [k in K]: z.ZodDefault<z.ZodOptional<z.ZodPipe<z.ZodTransform, z.ZodArray<T>>>> })
    .optional()
    .default({ [key]: [] } as never);

export const statisticsResponseSchema = z.object({
  RequestId: z.string().min(1),
  UserStatistics: listIn(
    "Statistics",
    z.object({ UserName: z.string(), OnlineCount: onlineCount }),
  ),
});

export const sagStatisticsResponseSchema = z.object({
  RequestId: z.string().min(1),
  SagStatistics: listIn(
    "Statistics",
    z.object({ SmartAGId: z.string(), OnlineCount: onlineCount }),
  ),
});

/** The API's 0/1 flags (`State`, `IsStaticIp`), as numbers or strings. */
const flag = z.union([z.literal(0), z.literal(1), z.enum(["0", "1"]).transform(Number)]);

export const clientUsersResponseSchema = z.object({
  RequestId: z.string().min(1),
  TotalCount: integer(15),
  Users: listIn(
    "User",
    z.object({
      UserName: z.string().min(1),
      UserMail: z.string().optional().default(""),
      ClientIp: z.string().optional().default(""),
      Bandwidth: integer(15),
      AccelerateBandwidth: integer(15),
      State: flag,
      IsStaticIp: flag,
    }),
  ),
});

/** Latest Unix time a Date can hold in ISO-8601 (year 9999). */
const MAX_UNIX_SECONDS = 253_402_300_799;

export const userOnlineClientsResponseSchema = z.object({
  RequestId: z.string().min(1),
  Users: listIn(
    "User",
    z.object({
      ClientIp: z.string().min(1),
      // Unix seconds; the API's models say a string, its samples show both.
      OnlineTime: integer(15).pipe(z.number().max(MAX_UNIX_SECONDS)),
    }),
  ),
});
