import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import {
  classOutputs,
  compareConfig,
  compareFunctions,
  compareObject,
  compareProvider,
  compareResources,
  compareTypes,
  exportsWithoutExample,
  interfaceMembers,
  outputsNotDeclared,
  readSchema,
  type SchemaSpec,
  sdkDir,
  sdkSource,
} from "./schemaDrift";

const schema = readSchema();

// A deep copy to break on purpose, so each check is shown to notice a difference.
function brokenSchema(breakIt: (s: SchemaSpec) => void): SchemaSpec {
  const copy = structuredClone(schema);
  breakIt(copy);
  return copy;
}

const token = "smartag:index:getUserOnlineClientStatistics";
const resourceToken = "smartag:index:UserOnlineClientStatistics";

function parse(text: string): ts.SourceFile {
  return ts.createSourceFile("snippet.ts", text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

function resourceOf(s: SchemaSpec) {
  const r = s.resources[resourceToken];
  assert.ok(r, `the schema has no ${resourceToken}`);
  return r;
}

function fnOf(s: SchemaSpec) {
  const fn = s.functions[token];
  assert.ok(fn, `the schema has no ${token}`);
  return fn;
}

describe("SDK and provider/schema.json", () => {
  it("declare the same function arguments, results and tokens", () => {
    assert.deepEqual(compareFunctions(schema), []);
  });

  it("declare the same resource inputs, state, outputs and type token, in both resource forms", () => {
    assert.deepEqual(compareResources(schema), []);
  });

  it("declare the same UserStatistic type", () => {
    assert.deepEqual(compareTypes(schema), []);
  });

  it("declare the same provider inputs, with secrets and JSON-encoded values where the schema says", () => {
    assert.deepEqual(compareProvider(schema), []);
  });

  it("declare the same config variables, never undefined exactly when there is a default", () => {
    assert.deepEqual(compareConfig(schema), []);
  });

  it("agree on package name and version", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(sdkDir, "package.json"), "utf8"));
    assert.equal(pkg.name, schema.language.nodejs.packageName);
    assert.equal(pkg.version, schema.version);
    assert.deepEqual(pkg.pulumi, { resource: true, name: schema.name, version: schema.version });
    const providerSource = sdkSource("provider.ts").getText();
    assert.match(providerSource, new RegExp(`__pulumiType = "${schema.name}"`));
  });
});

describe("provider/schema.json", () => {
  it("offers every config variable as a provider input with the same type, secrecy and defaults", () => {
    assert.deepEqual(schema.provider.inputProperties, schema.config.variables);
  });

  it("marks exactly secretKey and securityToken secret", () => {
    const secret = Object.entries(schema.config.variables)
      .filter(([, spec]) => spec.secret === true)
      .map(([name]) => name);
    assert.deepEqual(secret, ["secretKey", "securityToken"]);
  });

  it("documents every property, function and type", () => {
    const undocumented: string[] = [];
    const checkProps = (where: string, props: Record<string, { description?: string }>) => {
      for (const [name, spec] of Object.entries(props)) {
        if (!spec.description) undocumented.push(`${where}.${name}`);
      }
    };
    checkProps("config", schema.config.variables);
    checkProps("provider", schema.provider.inputProperties);
    for (const [tok, fn] of Object.entries(schema.functions)) {
      if (!fn.description?.includes("```typescript")) undocumented.push(`${tok} (example)`);
      checkProps(`${tok}.inputs`, fn.inputs.properties);
      checkProps(`${tok}.outputs`, fn.outputs.properties);
    }
    for (const [tok, r] of Object.entries(schema.resources)) {
      if (!r.description?.includes("```typescript")) undocumented.push(`${tok} (example)`);
      checkProps(`${tok}.inputProperties`, r.inputProperties);
      checkProps(`${tok}.properties`, r.properties);
    }
    for (const [tok, type] of Object.entries(schema.types)) {
      if (!type.description) undocumented.push(tok);
      checkProps(tok, type.properties);
    }
    assert.deepEqual(undocumented, []);
  });
});

describe("the schema drift checks", () => {
  it("report a function argument the SDK lacks", () => {
    const broken = brokenSchema((s) => {
      fnOf(s).inputs.properties.instanceName = { type: "string", description: "x" };
    });
    const problems = compareFunctions(broken);
    assert.ok(
      problems.includes(
        "GetUserOnlineClientStatisticsArgs.instanceName: in the schema but not in the SDK",
      ),
    );
    assert.ok(
      problems.includes(
        "GetUserOnlineClientStatisticsOutputArgs.instanceName: in the schema but not in the SDK",
      ),
    );
    assert.ok(problems.some((p) => p.includes("pulumi.runtime.invokeOutput sends")));
  });

  it("report an argument whose optionality differs", () => {
    const broken = brokenSchema((s) => {
      fnOf(s).inputs.required = ["regionId", "smartAgId", "userNames"];
    });
    assert.ok(
      compareFunctions(broken).includes(
        "GetUserOnlineClientStatisticsArgs.regionId: optional in the SDK but required in the schema",
      ),
    );
  });

  it("report a result field whose type differs", () => {
    const broken = brokenSchema((s) => {
      const total = fnOf(s).outputs.properties.totalOnlineCount;
      assert.ok(total);
      total.type = "string";
    });
    assert.ok(
      compareFunctions(broken).includes(
        "GetUserOnlineClientStatisticsResult.totalOnlineCount: number in the SDK but string in the schema",
      ),
    );
  });

  it("report a function token the SDK does not call", () => {
    const broken = brokenSchema((s) => {
      const fn = fnOf(s);
      delete s.functions[token];
      s.functions["smartag:stats:getUserOnlineClientStatistics"] = fn;
    });
    assert.ok(
      compareFunctions(broken).includes(
        "getUserOnlineClientStatistics.ts: pulumi.runtime.invoke is called with token " +
          `${token}, not smartag:stats:getUserOnlineClientStatistics`,
      ),
    );
  });

  it("report a resource input the SDK lacks, and an output whose optionality differs", () => {
    const broken = brokenSchema((s) => {
      const r = resourceOf(s);
      r.inputProperties.maxOnlinePerDevice = { type: "integer", description: "x" };
      r.required = (r.required ?? []).filter((k) => k !== "totalOnlineCount");
    });
    const problems = compareResources(broken);
    assert.ok(
      problems.includes(
        "UserOnlineClientStatisticsArgs.maxOnlinePerDevice: in the schema but not in the SDK",
      ),
    );
    assert.ok(
      problems.includes(
        "UserOnlineClientStatistics.totalOnlineCount: required in the SDK but optional in the schema",
      ),
    );
    assert.ok(
      problems.includes(
        "dynamic.UserOnlineClientStatistics.totalOnlineCount: required in the SDK but optional in the schema",
      ),
    );
  });

  it("report a resource output neither resource form sends, and a type token the SDK lacks", () => {
    const broken = brokenSchema((s) => {
      const r = resourceOf(s);
      r.properties.checkedAt = { type: "string", description: "x" };
      delete s.resources[resourceToken];
      s.resources["smartag:index:UserOnlineClientStatistics2"] = r;
    });
    assert.deepEqual(compareResources(broken), [
      "smartag:index:UserOnlineClientStatistics2: the SDK has no userOnlineClientStatistics2.ts",
    ]);
    const withOutput = brokenSchema((s) => {
      resourceOf(s).properties.checkedAt = { type: "string", description: "x" };
    });
    const problems = compareResources(withOutput);
    assert.ok(
      problems.includes("UserOnlineClientStatistics.checkedAt: in the schema but not in the SDK"),
    );
    assert.ok(
      problems.some((p) => p.startsWith("userOnlineClientStatistics.ts: the constructor sends")),
    );
    assert.ok(problems.some((p) => p.startsWith("dynamic.ts: UserOnlineClientStatistics sends")));
  });

  it("report a type field the SDK lacks", () => {
    const broken = brokenSchema((s) => {
      const type = s.types["smartag:index:UserStatistic"];
      assert.ok(type);
      type.properties.deviceCount = { type: "integer", description: "x" };
    });
    assert.deepEqual(compareTypes(broken), [
      "types.output.UserStatistic.deviceCount: in the schema but not in the SDK",
    ]);
  });

  it("report a provider input that should be secret or JSON-encoded", () => {
    const broken = brokenSchema((s) => {
      const { profile, region } = s.provider.inputProperties;
      assert.ok(profile && region);
      profile.secret = true;
      region.type = "integer";
    });
    const problems = compareProvider(broken);
    assert.ok(problems.includes("Provider: sends profile plain, the schema asks for secret"));
    assert.ok(problems.includes("Provider: sends region plain, the schema asks for json"));
    assert.ok(problems.includes("ProviderArgs.region: string in the SDK but number in the schema"));
  });

  it("report a config variable whose default the SDK does not reflect", () => {
    const broken = brokenSchema((s) => {
      const { region, maxAttempts } = s.config.variables;
      assert.ok(region && maxAttempts);
      region.default = "cn-shanghai";
      delete maxAttempts.default;
    });
    const problems = compareConfig(broken);
    assert.ok(
      problems.includes("config.region: may be undefined in the SDK but the schema has default"),
    );
    assert.ok(
      problems.includes(
        "config.maxAttempts: is never undefined in the SDK but the schema has no default",
      ),
    );
  });
});

describe("the interface and doc checks", () => {
  it("report a member without a doc comment and a member with the wrong Input wrapping", () => {
    const source = parse(`
      export interface ThingArgs {
        /** The id. */
        id: pulumi.Input<string>;
        names?: string[];
      }
    `);
    const problems = compareObject(
      "ThingArgs",
      interfaceMembers(source, "ThingArgs"),
      {
        properties: { id: { type: "string" }, names: { type: "array", items: { type: "string" } } },
        required: ["id"],
      },
      { input: true },
    );
    assert.deepEqual(problems, [
      "ThingArgs.names: should be wrapped in pulumi.Input",
      "ThingArgs.names: has no doc comment",
    ]);
  });

  it("report an output field that is not declared with `declare`", () => {
    const source = parse(`
      class Thing extends pulumi.CustomResource {
        /** Reset after super() under ES2022 class fields. */
        public readonly id2!: pulumi.Output<string>;
        /** Fine. */
        declare public readonly name2: pulumi.Output<string | undefined>;
      }
    `);
    assert.deepEqual(outputsNotDeclared(source, "Thing"), ["id2"]);
    assert.deepEqual(
      [...(classOutputs(source, "Thing")?.values() ?? [])].map((m) => [m.name, m.optional]),
      [
        ["id2", false],
        ["name2", true],
      ],
    );
  });

  it("report an export without an @example, but not an @internal one", () => {
    const source = parse(`
      /** Documented, with no example. */
      export function undocumentedExample(): void {}
      /**
       * Has one.
       * @example
       * hasExample();
       */
      export function hasExample(): void {}
      /** @internal */
      export const hidden = 1;
      /**
       * Overload, documented.
       * @example
       * overloaded(1);
       */
      export function overloaded(x: number): number;
      /** Overload without an example. */
      export function overloaded(x: string): string;
      export function overloaded(x: unknown): unknown { return x; }
      export class Thing {
        /** No example here either. */
        static isInstance(): boolean { return true; }
      }
    `);
    assert.deepEqual(exportsWithoutExample(source), [
      "undocumentedExample",
      "overloaded",
      "Thing",
      "Thing.isInstance",
    ]);
  });
});

describe("SDK docs", () => {
  it("give every public export an @example", () => {
    const files = [
      "index.ts",
      "provider.ts",
      "getUserOnlineClientStatistics.ts",
      "userOnlineClientStatistics.ts",
      "assertions.ts",
      "dynamic.ts",
      "config/vars.ts",
      "types/output.ts",
    ];
    const missing = files.flatMap((f) =>
      exportsWithoutExample(sdkSource(f)).map((n) => `${f}: ${n}`),
    );
    assert.deepEqual(missing, []);
  });
});
