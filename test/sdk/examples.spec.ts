import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const repo = path.join(__dirname, "../..");
const overlayDir = path.join(repo, "sdk/overlays/nodejs");

interface Example {
  from: string;
  code: string;
}

const fence = /```typescript\n([\s\S]*?)```/g;

function fromJsDoc(relative: string): Example[] {
  const text = fs.readFileSync(path.join(overlayDir, relative), "utf8");
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

/** The hand-written overlays' JSDoc, the READMEs and the schema, which every SDK's docs come from. */
function allExamples(): Example[] {
  const schema = JSON.parse(fs.readFileSync(path.join(repo, "provider/schema.json"), "utf8")) as {
    functions: Record<string, { description?: string }>;
    resources: Record<string, { description?: string }>;
  };
  const described = { ...schema.functions, ...schema.resources };
  return [
    ...["assertions.ts", "dynamic/userOnlineClientStatistics.ts"].flatMap(fromJsDoc),
    // The README's whole programs; its other blocks are fragments of them.
    ...fromMarkdown("README.md", fs.readFileSync(path.join(repo, "README.md"), "utf8")).filter(
      (e) => e.code.includes('from "pulumi-smartag"'),
    ),
    ...Object.entries(described).flatMap(([token, d]) =>
      fromMarkdown(`schema ${token}`, d.description ?? ""),
    ),
  ];
}

const parsedFiles = new Map<string, ts.SourceFile>();

/**
 * Type-checks each example as a module of a user's program that imports "pulumi-smartag". The
 * files exist only in memory, under test/sdk so that @pulumi/pulumi resolves from the repo's
 * node_modules, where "pulumi-smartag" is the built SDK (npm run build).
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
    assert.ok(examples.length >= 10, `only ${examples.length} examples found`);
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
