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
  .string({ error: "must be a string" })
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
    userNames: z
      .array(userName, { error: "is required: a list of usernames" })
      .min(1, { error: "must list at least one username" })
      .max(MAX_NAMES_PER_CALL, { error: `must list at most ${MAX_NAMES_PER_CALL} usernames` }),
  },
  notAnObject,
);

/** What a caller asks for. `regionId` may come from the client's default region instead. */
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

const onlineCount = z.union([
  z.number().int().nonnegative(),
  // The current API models declare OnlineCount a string; accept only plain digits.
  z
    .string()
    .regex(/^\d{1,9}$/)
    .transform(Number),
]);

/** `{ Statistics: [...] }`, absent or empty when there is nothing to list. */
const statisticsOf = <T extends z.ZodType>(item: T) =>
  z
    .object({
      // Alibaba's XML-to-JSON answers sometimes give a one-item list as the item itself.
      Statistics: z
        .preprocess(
          (v) => (v !== null && typeof v === "object" && !Array.isArray(v) ? [v] : v),
          z.array(item),
        )
        .optional()
        .default([]),
    })
    .optional()
    .default({ Statistics: [] });

export const statisticsResponseSchema = z.object({
  RequestId: z.string().min(1),
  UserStatistics: statisticsOf(z.object({ UserName: z.string(), OnlineCount: onlineCount })),
});

export const sagStatisticsResponseSchema = z.object({
  RequestId: z.string().min(1),
  SagStatistics: statisticsOf(z.object({ SmartAGId: z.string(), OnlineCount: onlineCount })),
});
