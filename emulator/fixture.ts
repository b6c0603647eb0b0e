import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";

const accessKeySchema = z.strictObject({
  id: z.string().min(1),
  secret: z.string().min(1),
  securityToken: z.string().min(1).optional(),
});

const count = z.number().int().nonnegative();

/** An account in object form; every field is optional (defaults in emulator/README.md). */
const accountSchema = z
  .strictObject({
    onlineCount: count.optional(),
    clients: z.array(z.strictObject({ clientIp: z.string().min(1), onlineTime: count })).optional(),
    userMail: z.string().optional(),
    bandwidth: count.optional(),
    accelerateBandwidth: count.optional(),
    state: z.number().int().min(0).max(1).optional(),
    clientIp: z.string().optional(),
    isStaticIp: z.boolean().optional(),
  })
  .superRefine((account, ctx) => {
    const listed = account.clients?.length;
    if (
      listed !== undefined &&
      account.onlineCount !== undefined &&
      listed !== account.onlineCount
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["onlineCount"],
        message: `onlineCount ${account.onlineCount} disagrees with the ${listed} clients listed`,
      });
    }
    if (account.state === 1 && ((account.onlineCount ?? 0) > 0 || (listed ?? 0) > 0)) {
      ctx.addIssue({
        code: "custom",
        path: ["state"],
        message: "a disabled account (state 1) cannot have clients online",
      });
    }
  });

/** A user is its online count, or an account object. */
const userSchema = z.union([count, accountSchema]);

const instanceSchema = z.strictObject({
  users: z.record(z.string().min(1), userSchema),
});

export const fixtureSchema = z
  .strictObject({
    accessKeys: z.array(accessKeySchema).min(1),
    regions: z.record(z.string().min(1), z.record(z.string().min(1), instanceSchema)),
    onlineCountAsNumber: z.boolean().optional(),
  })
  .superRefine((fixture, ctx) => {
    const seen = new Set<string>();
    fixture.accessKeys.forEach((key, i) => {
      if (seen.has(key.id)) {
        ctx.addIssue({
          code: "custom",
          path: ["accessKeys", i, "id"],
          message: `duplicate access key id ${JSON.stringify(key.id)}`,
        });
      }
      seen.add(key.id);
    });
  });

/** The fixture contract shared with tests and examples (see DESIGN.md, "Emulator"). */
export type Fixture = z.input<typeof fixtureSchema>;
export type AccessKey = z.output<typeof accessKeySchema>;
export type FixtureUser = z.input<typeof userSchema>;

/** A user's online count: the number itself, else `onlineCount`, else how many clients are listed. */
export function onlineCountOf(user: FixtureUser): number {
  return typeof user === "number" ? user : (user.onlineCount ?? user.clients?.length ?? 0);
}

export class FixtureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FixtureError";
  }
}

/** `accessKeys[0].secret`, `regions["cn-shanghai"]["sag-1"].users` — readable and unambiguous. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (typeof segment === "string" && /^[A-Za-z_$][\w$]*$/.test(segment)) {
      out += out === "" ? segment : `.${segment}`;
    } else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out === "" ? "(root)" : out;
}

/** A union's issues are those of the branch whose type matched (a user given as an object). */
function describeIssues(issues: readonly z.core.$ZodIssue[], base: PropertyKey[]): string[] {
  return issues.flatMap((issue) => {
    const path = [...base, ...issue.path];
    if (issue.code === "invalid_union") {
      const wrongType = (branch: z.core.$ZodIssue[]) =>
        branch.find((i) => i.code === "invalid_type" && i.path.length === 0);
      const matched = issue.errors.filter((branch) => wrongType(branch) === undefined);
      if (matched.length === 1) return describeIssues(matched[0] ?? [], path);
      const expected = issue.errors.map((b) => (wrongType(b) as { expected?: string })?.expected);
      return [`${formatPath(path)}: Invalid input: expected ${expected.join(" or ")}`];
    }
    return [`${formatPath(path)}: ${issue.message}`];
  });
}

/** Validates anything that claims to be a fixture; throws one FixtureError naming every bad path. */
export function parseFixture(value: unknown, source = "fixture"): Fixture {
  const result = fixtureSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = describeIssues(result.error.issues, []);
  throw new FixtureError(`invalid fixture ${source}: ${problems.join("; ")}`);
}

export function loadFixtureFile(file: string): Fixture {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new FixtureError(`cannot read fixture ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FixtureError(`fixture ${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseFixture(json, file);
}

/**
 * tsc does not copy JSON into dist/, so the bundled fixture is read from the source
 * tree: walk up to the package root, which works from emulator/ and dist/emulator/.
 */
export function defaultFixturePath(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, "package.json"))) {
      return join(dir, "emulator", "fixtures", "default.json");
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new FixtureError(`no package.json above ${__dirname}; cannot find the default fixture`);
    }
    dir = parent;
  }
}

export function loadDefaultFixture(): Fixture {
  return loadFixtureFile(defaultFixturePath());
}
