import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { readSchema, sdkDir } from "./schemaDrift";

interface Example {
  from: string;
  code: string;
}

const fence = /```typescript\n([\s\S]*?)```/g;

function fromJsDoc(relative: string): Example[] {
  const text = fs.readFileSync(path.join(sdkDir, relative), "utf8");
  const examples: Example[] = [];
  for (const doc of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const body = (doc[1] ?? "")
      .split("\n")
      .map((line) => line.replace(/^\s*\* ?/, ""))
      .join("\n");
    const afterTag = body.split("@example")[1];
    for (const block of afterTag?.matchAll(fence) ?? []) {
      examples.push({ from: relative, code: block[1] ?? "" });
    }
  }
  return examples;
}

function fromMarkdown(from: string, text: string): Example[] {
  return [...text.matchAll(fence)].map((m) => ({ from, code: m[1] ?? "" }));
}

function allExamples(): Example[] {
  const schema = readSchema();
  return [
    ...[
      "index.ts",
      "provider.ts",
      "getUserOnlineClientStatistics.ts",
      "userOnlineClientStatistics.ts",
      "assertions.ts",
      "dynamic.ts",
      "config/vars.ts",
    ].flatMap(fromJsDoc),
    ...fromJsDoc("types/output.ts"),
    ...fromMarkdown(
      "sdk/nodejs/README.md",
      fs.readFileSync(path.join(sdkDir, "README.md"), "utf8"),
    ),
    ...Object.entries(schema.functions).flatMap(([token, fn]) =>
      fromMarkdown(`schema ${token}`, fn.description ?? ""),
    ),
    ...Object.entries(schema.resources).flatMap(([token, r]) =>
      fromMarkdown(`schema ${token}`, r.description ?? ""),
    ),
  ];
}

const parsedFiles = new Map<string, ts.SourceFile>();

/**
 * Type-checks each example as a module of a user's program that imports "pulumi-smartag". The
 * files exist only in memory, under test/sdk so that @pulumi/pulumi resolves from the repo's
 * node_modules; "pulumi-smartag" is mapped to the SDK sources, which need no build.
 */
function typeCheck(examples: Example[]): string[] {
  const virtualDir = path.join(__dirname, "__examples__");
  const virtual = new Map(
    examples.map((e, i) => [path.join(virtualDir, `example${i}.ts`), `${e.code}\nexport {};\n`]),
  );
  const options: ts.CompilerOptions = {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    types: ["node"],
    skipLibCheck: true,
    noEmit: true,
    baseUrl: virtualDir,
    paths: { "pulumi-smartag": [path.join(sdkDir, "index.ts")] },
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, ...rest) => {
    const text = virtual.get(f);
    if (text !== undefined) {
      return ts.createSourceFile(f, text, lang);
    }
    // Parsing @pulumi/pulumi's declarations dominates; do it once for all checks.
    let source = parsedFiles.get(f);
    if (source === undefined) {
      source = getSourceFile.call(host, f, lang, ...rest);
      if (source !== undefined) {
        parsedFiles.set(f, source);
      }
    }
    return source;
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file !== undefined && virtual.has(d.file.fileName))
    .map((d) => {
      const index = Number(/example(\d+)\.ts$/.exec(d.file?.fileName ?? "")?.[1]);
      const where = examples[index]?.from ?? "?";
      return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
}

describe("SDK examples", () => {
  it("compile as user programs, in JSDoc, the README and the schema", () => {
    const examples = allExamples();
    // Every public export carries one (see schema.spec.ts), so there are dozens.
    assert.ok(examples.length >= 20, `only ${examples.length} examples found`);
    assert.deepEqual(typeCheck(examples), []);
  });

  it("report an example that does not compile", () => {
    const problems = typeCheck([
      {
        from: "broken",
        code: 'import * as smartag from "pulumi-smartag";\nsmartag.getUserOnlineClientStatistics({ smartAgId: 1 });\n',
      },
    ]);
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? "", /^broken: /);
  });
});
