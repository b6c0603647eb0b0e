import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";

const accessKeySchema = z.strictObject({
  id: z.string().min(1),
  secret: z.string().min(1),
  securityToken: z.string().min(1).optional(),
});

const instanceSchema = z.strictObject({
  users: z.record(z.string().min(1), z.number().int().nonnegative()),
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

/** Validates anything that claims to be a fixture; throws one FixtureError naming every bad path. */
export function parseFixture(value: unknown, source = "fixture"): Fixture {
  const result = fixtureSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
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
