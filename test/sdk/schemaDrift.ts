/**
 * Compares the hand-written TypeScript SDK with provider/schema.json, so that the two cannot
 * drift apart unnoticed. The SDK is read with the TypeScript parser, not loaded: this checks what
 * a user's compiler sees (names, optionality, types, docs), which running the code cannot.
 *
 * Every check returns a list of problems (empty when all agrees) rather than throwing, so one
 * run names every difference and the checks themselves can be tested against a broken schema.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

export const sdkDir = path.join(__dirname, "..", "..", "sdk", "nodejs");

// --- the schema, as far as these checks need it -----------------------------------------------

export interface PropertySpec {
  type?: string;
  items?: PropertySpec;
  $ref?: string;
  description?: string;
  secret?: boolean;
  default?: unknown;
  defaultInfo?: { environment?: string[] };
}

export interface ObjectSpec {
  description?: string;
  properties: Record<string, PropertySpec>;
  required?: string[];
}

export interface ResourceSpec extends ObjectSpec {
  inputProperties: Record<string, PropertySpec>;
  requiredInputs?: string[];
  stateInputs?: ObjectSpec;
}

export interface SchemaSpec {
  name: string;
  version: string;
  config: { variables: Record<string, PropertySpec> };
  provider: { inputProperties: Record<string, PropertySpec> };
  resources: Record<string, ResourceSpec>;
  functions: Record<string, { description?: string; inputs: ObjectSpec; outputs: ObjectSpec }>;
  types: Record<string, ObjectSpec & { type: string }>;
  language: { nodejs: { packageName: string } };
}

export function readSchema(): SchemaSpec {
  const file = path.join(__dirname, "..", "..", "provider", "schema.json");
  return JSON.parse(fs.readFileSync(file, "utf8")) as SchemaSpec;
}

// --- a rough type language both sides translate into -------------------------------------------

/** "string", "number", "boolean", "T[]", a type name, or "?<text>" for anything else. */
type Rough = string;

function roughFromSchema(spec: PropertySpec): Rough {
  if (spec.$ref !== undefined) {
    return tokenName(spec.$ref.replace(/^#\/types\//, ""));
  }
  switch (spec.type) {
    case "string":
    case "boolean":
      return spec.type;
    case "integer":
    case "number":
      return "number";
    case "array":
      return `${spec.items === undefined ? "?" : roughFromSchema(spec.items)}[]`;
    default:
      return `?${JSON.stringify(spec)}`;
  }
}

interface RoughType {
  type: Rough;
  /** The declared type admits undefined (`T | undefined`). */
  orUndefined: boolean;
  /** Wrapped in `pulumi.Input<...>` at the top level. */
  input: boolean;
}

function roughFromNode(node: ts.TypeNode): RoughType {
  if (ts.isUnionTypeNode(node)) {
    const rest = node.types.filter((t) => t.kind !== ts.SyntaxKind.UndefinedKeyword);
    const orUndefined = rest.length !== node.types.length;
    if (rest.length === 1 && rest[0] !== undefined) {
      return { ...roughFromNode(rest[0]), orUndefined };
    }
    return { type: `?${node.getText()}`, orUndefined, input: false };
  }
  if (ts.isTypeReferenceNode(node) && node.typeName.getText() === "pulumi.Input") {
    const inner = node.typeArguments?.[0];
    if (inner === undefined) {
      return { type: "?pulumi.Input", orUndefined: false, input: true };
    }
    return { ...roughFromNode(inner), input: true };
  }
  return { type: plainRough(node), orUndefined: false, input: false };
}

// Nested `pulumi.Input`s (as in `Input<Input<string>[]>`) are what lets a list hold Outputs;
// only the top level matters for the comparison, so inner ones are looked through.
function plainRough(node: ts.TypeNode): Rough {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return "string";
    case ts.SyntaxKind.NumberKeyword:
      return "number";
    case ts.SyntaxKind.BooleanKeyword:
      return "boolean";
  }
  if (ts.isArrayTypeNode(node)) {
    return `${plainRough(node.elementType)}[]`;
  }
  if (ts.isTypeOperatorNode(node) && node.operator === ts.SyntaxKind.ReadonlyKeyword) {
    return plainRough(node.type);
  }
  if (ts.isParenthesizedTypeNode(node)) {
    return plainRough(node.type);
  }
  if (ts.isTypeReferenceNode(node)) {
    const name = node.typeName.getText();
    const inner = node.typeArguments?.[0];
    if (name === "pulumi.Input" && inner !== undefined) {
      return plainRough(inner);
    }
    if (node.typeArguments === undefined) {
      // `outputs.UserStatistic` and `UserStatistic` name the same schema type.
      return name.split(".").pop() ?? name;
    }
  }
  return `?${node.getText()}`;
}

function tokenName(token: string): string {
  return token.split(":").pop() ?? token;
}

// --- reading the SDK ----------------------------------------------------------------------------

const sourceCache = new Map<string, ts.SourceFile>();

export function sdkSource(relative: string): ts.SourceFile {
  let source = sourceCache.get(relative);
  if (source === undefined) {
    const file = path.join(sdkDir, relative);
    const text = fs.readFileSync(file, "utf8");
    source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    sourceCache.set(relative, source);
  }
  return source;
}

/** The TypeScript name of a schema token's generated function file, e.g. getUserOnline... */
export function functionName(token: string): string {
  return tokenName(token);
}

function title(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

export interface Member {
  name: string;
  optional: boolean;
  type: RoughType;
  documented: boolean;
}

export function interfaceMembers(
  source: ts.SourceFile,
  interfaceName: string,
): Map<string, Member> | undefined {
  const decl = source.statements.find(
    (s): s is ts.InterfaceDeclaration =>
      ts.isInterfaceDeclaration(s) && s.name.text === interfaceName,
  );
  if (decl === undefined) {
    return undefined;
  }
  const members = new Map<string, Member>();
  for (const m of decl.members) {
    if (!ts.isPropertySignature(m) || m.type === undefined) {
      continue;
    }
    const name = m.name.getText();
    members.set(name, {
      name,
      optional: m.questionToken !== undefined,
      type: roughFromNode(m.type),
      documented: hasDocText(m),
    });
  }
  return members;
}

function hasDocText(node: ts.Node): boolean {
  return ts
    .getJSDocCommentsAndTags(node)
    .some((d) => ts.isJSDoc(d) && typeof d.comment === "string" && d.comment.trim() !== "");
}

/** `export declare const name: T` statements, as config/vars.ts declares its getters. */
export function declaredConstants(source: ts.SourceFile): Map<string, RoughType> {
  const found = new Map<string, RoughType>();
  for (const s of source.statements) {
    if (!ts.isVariableStatement(s) || !hasModifier(s, ts.SyntaxKind.DeclareKeyword)) {
      continue;
    }
    for (const d of s.declarationList.declarations) {
      if (d.type !== undefined) {
        found.set(d.name.getText(), roughFromNode(d.type));
      }
    }
  }
  return found;
}

/** Names passed to `defineGetter("name", ...)`: the getters config/vars.ts actually installs. */
export function definedGetters(source: ts.SourceFile): string[] {
  const names: string[] = [];
  visit(source, (node) => {
    if (
      ts.isCallExpression(node) &&
      node.expression.getText() === "defineGetter" &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      names.push(node.arguments[0].text);
    }
  });
  return names;
}

export type Encoding = "plain" | "secret" | "json";

/** How the Provider constructor puts each key into `resourceInputs`. */
export function providerInputEncodings(source: ts.SourceFile): Map<string, Encoding> {
  const found = new Map<string, Encoding>();
  visit(source, (node) => {
    if (
      ts.isVariableDeclaration(node) &&
      node.name.getText() === "resourceInputs" &&
      node.initializer !== undefined &&
      ts.isObjectLiteralExpression(node.initializer)
    ) {
      for (const p of node.initializer.properties) {
        if (!ts.isPropertyAssignment(p)) {
          continue;
        }
        const text = p.initializer.getText();
        const encoding: Encoding = /\b(pulumi\.secret|secretOrAbsent)\(/.test(text)
          ? "secret"
          : /\bjsonEncoded\(/.test(text)
            ? "json"
            : "plain";
        found.set(p.name.getText(), encoding);
      }
    }
  });
  return found;
}

export interface InvokeCall {
  callee: string;
  token: string | undefined;
  argNames: string[];
}

/** Every `pulumi.runtime.invoke*` call, with its token resolved through same-file constants. */
export function invokeCalls(source: ts.SourceFile): InvokeCall[] {
  const constants = new Map<string, string>();
  visit(source, (node) => {
    if (
      ts.isVariableDeclaration(node) &&
      node.initializer !== undefined &&
      ts.isStringLiteral(node.initializer)
    ) {
      constants.set(node.name.getText(), node.initializer.text);
    }
  });
  const calls: InvokeCall[] = [];
  visit(source, (node) => {
    if (!ts.isCallExpression(node)) {
      return;
    }
    // A chained call may break the callee over lines (`pulumi.runtime\n  .invoke`).
    const callee = node.expression.getText().replace(/\s+/g, "");
    if (!/^pulumi\.runtime\.invoke(Output)?$/.test(callee)) {
      return;
    }
    const [tokenArg, propsArg] = node.arguments;
    let token: string | undefined;
    if (tokenArg !== undefined && ts.isStringLiteral(tokenArg)) {
      token = tokenArg.text;
    } else if (tokenArg !== undefined && ts.isIdentifier(tokenArg)) {
      token = constants.get(tokenArg.text);
    }
    const argNames =
      propsArg !== undefined && ts.isObjectLiteralExpression(propsArg)
        ? propsArg.properties.map((p) => p.name?.getText() ?? "?")
        : [];
    calls.push({ callee, token, argNames });
  });
  return calls;
}

/** Exported declarations without an `@example` (those marked `@internal` are not public). */
export function exportsWithoutExample(source: ts.SourceFile): string[] {
  const missing: string[] = [];
  const check = (node: ts.Node, name: string): void => {
    const tags = ts.getJSDocTags(node).map((t) => t.tagName.text);
    if (!tags.includes("internal") && !tags.includes("example")) {
      missing.push(name);
    }
  };
  const overloaded = new Set<string>();
  for (const s of source.statements) {
    if (!hasModifier(s, ts.SyntaxKind.ExportKeyword)) {
      continue;
    }
    if (ts.isFunctionDeclaration(s) && s.name !== undefined) {
      // An overloaded function's implementation signature is invisible to callers; its
      // overload signatures (no body) are what is documented.
      if (s.body === undefined) {
        overloaded.add(s.name.text);
      } else if (overloaded.has(s.name.text)) {
        continue;
      }
    }
    if (
      (ts.isFunctionDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isClassDeclaration(s)) &&
      s.name !== undefined
    ) {
      check(s, s.name.text);
    }
    if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) {
        check(s, d.name.getText());
      }
    }
    if (ts.isClassDeclaration(s)) {
      for (const m of s.members) {
        const isPublicMethod =
          ts.isMethodDeclaration(m) &&
          !hasModifier(m, ts.SyntaxKind.PrivateKeyword) &&
          !hasModifier(m, ts.SyntaxKind.ProtectedKeyword);
        if (isPublicMethod) {
          check(m, `${s.name?.text}.${m.name.getText()}`);
        }
      }
    }
  }
  return missing;
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

function visit(node: ts.Node, f: (node: ts.Node) => void): void {
  f(node);
  node.forEachChild((child) => visit(child, f));
}

// --- the comparisons -----------------------------------------------------------------------------

export interface CompareOptions {
  /** Output-form arguments and provider args take `pulumi.Input<T>`; plain ones take `T`. */
  input: boolean;
}

/** Compares an SDK interface with a schema object type: names, optionality, types, docs. */
export function compareObject(
  where: string,
  sdk: Map<string, Member> | undefined,
  spec: ObjectSpec,
  options: CompareOptions,
): string[] {
  if (sdk === undefined) {
    return [`${where}: the SDK has no such interface`];
  }
  const problems: string[] = [];
  const required = new Set(spec.required ?? []);
  for (const name of Object.keys(spec.properties)) {
    if (!sdk.has(name)) {
      problems.push(`${where}.${name}: in the schema but not in the SDK`);
    }
  }
  for (const [name, member] of sdk) {
    const prop = spec.properties[name];
    if (prop === undefined) {
      problems.push(`${where}.${name}: in the SDK but not in the schema`);
      continue;
    }
    if (member.optional === required.has(name)) {
      problems.push(
        `${where}.${name}: ${member.optional ? "optional" : "required"} in the SDK but ` +
          `${required.has(name) ? "required" : "optional"} in the schema`,
      );
    }
    const expected = roughFromSchema(prop);
    if (member.type.type !== expected) {
      problems.push(
        `${where}.${name}: ${member.type.type} in the SDK but ${expected} in the schema`,
      );
    }
    if (member.type.input !== options.input) {
      problems.push(
        `${where}.${name}: ${options.input ? "should" : "should not"} be wrapped in pulumi.Input`,
      );
    }
    if (!member.documented) {
      problems.push(`${where}.${name}: has no doc comment`);
    }
  }
  return problems;
}

/** The SDK's function files against `functions` in the schema. */
export function compareFunctions(schema: SchemaSpec): string[] {
  const problems: string[] = [];
  for (const [token, fn] of Object.entries(schema.functions)) {
    const name = functionName(token);
    const file = `${name}.ts`;
    if (!fs.existsSync(path.join(sdkDir, file))) {
      problems.push(`${token}: the SDK has no ${file}`);
      continue;
    }
    const source = sdkSource(file);
    const Name = title(name);
    problems.push(
      ...compareObject(`${Name}Args`, interfaceMembers(source, `${Name}Args`), fn.inputs, {
        input: false,
      }),
      ...compareObject(
        `${Name}OutputArgs`,
        interfaceMembers(source, `${Name}OutputArgs`),
        fn.inputs,
        { input: true },
      ),
      ...compareObject(`${Name}Result`, interfaceMembers(source, `${Name}Result`), fn.outputs, {
        input: false,
      }),
    );
    const calls = invokeCalls(source);
    const schemaArgs = Object.keys(fn.inputs.properties).sort();
    for (const callee of ["pulumi.runtime.invoke", "pulumi.runtime.invokeOutput"]) {
      const call = calls.find((c) => c.callee === callee);
      if (call === undefined) {
        problems.push(`${file}: never calls ${callee}`);
        continue;
      }
      if (call.token !== token) {
        problems.push(`${file}: ${callee} is called with token ${call.token}, not ${token}`);
      }
      const sent = [...call.argNames].sort();
      if (JSON.stringify(sent) !== JSON.stringify(schemaArgs)) {
        problems.push(
          `${file}: ${callee} sends ${sent.join(", ")} but the schema takes ${schemaArgs.join(", ")}`,
        );
      }
    }
  }
  return problems;
}

/** A class's `declare readonly x: pulumi.Output<T>` members: the outputs it resolves. */
export function classOutputs(
  source: ts.SourceFile,
  className: string,
): Map<string, Member> | undefined {
  const decl = findClass(source, className);
  if (decl === undefined) {
    return undefined;
  }
  const members = new Map<string, Member>();
  for (const m of decl.members) {
    if (
      !ts.isPropertyDeclaration(m) ||
      m.type === undefined ||
      !ts.isTypeReferenceNode(m.type) ||
      m.type.typeName.getText() !== "pulumi.Output" ||
      m.type.typeArguments?.[0] === undefined
    ) {
      continue;
    }
    const type = roughFromNode(m.type.typeArguments[0]);
    const name = m.name.getText();
    members.set(name, {
      name,
      // An output that may be undefined is one the schema does not require.
      optional: type.orUndefined,
      type,
      documented: hasDocText(m),
    });
  }
  return members;
}

/** Members declared with a plain `!:` are reset after super() under ES2022 class fields. */
export function outputsNotDeclared(source: ts.SourceFile, className: string): string[] {
  const members: readonly ts.ClassElement[] = findClass(source, className)?.members ?? [];
  return members
    .filter(
      (m): m is ts.PropertyDeclaration =>
        ts.isPropertyDeclaration(m) &&
        m.type?.getText().startsWith("pulumi.Output<") === true &&
        !hasModifier(m, ts.SyntaxKind.DeclareKeyword),
    )
    .map((m) => m.name.getText());
}

function findClass(source: ts.SourceFile, className: string): ts.ClassDeclaration | undefined {
  return source.statements.find(
    (s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === className,
  );
}

/** Keys the class's constructor assigns as `resourceInputs.<key> = ...`. */
export function assignedResourceInputs(source: ts.SourceFile, className: string): Set<string> {
  const keys = new Set<string>();
  const decl = findClass(source, className);
  if (decl !== undefined) {
    visit(decl, (node) => {
      if (
        ts.isBinaryExpression(node) &&
        node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        ts.isPropertyAccessExpression(node.left) &&
        node.left.expression.getText() === "resourceInputs"
      ) {
        keys.add(node.left.name.text);
      }
    });
  }
  return keys;
}

/** The keys of the object literal a class passes to `super(...)` as argument `index`. */
export function superPropKeys(
  source: ts.SourceFile,
  className: string,
  index: number,
): string[] | undefined {
  let keys: string[] | undefined;
  const decl = findClass(source, className);
  if (decl !== undefined) {
    visit(decl, (node) => {
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.SuperKeyword) {
        const arg = node.arguments[index];
        if (arg !== undefined && ts.isObjectLiteralExpression(arg)) {
          keys = arg.properties.map((p) => p.name?.getText() ?? "?");
        }
      }
    });
  }
  return keys;
}

/** The string a class's `static readonly __pulumiType = "..."` holds. */
export function pulumiTypeOf(source: ts.SourceFile, className: string): string | undefined {
  const decl = findClass(source, className);
  for (const m of decl?.members ?? []) {
    if (
      ts.isPropertyDeclaration(m) &&
      m.name.getText() === "__pulumiType" &&
      m.initializer !== undefined &&
      ts.isStringLiteral(m.initializer)
    ) {
      return m.initializer.text;
    }
  }
  return undefined;
}

/**
 * The SDK's resource classes against `resources` in the schema: `<Name>Args` against the inputs,
 * `<Name>State` against the state inputs, the class's outputs and type token, what its
 * constructor sends, and the dynamic form in dynamic.ts, which must offer the same shape.
 */
export function compareResources(schema: SchemaSpec): string[] {
  const problems: string[] = [];
  for (const [token, spec] of Object.entries(schema.resources)) {
    const Name = tokenName(token);
    const file = `${Name.charAt(0).toLowerCase()}${Name.slice(1)}.ts`;
    if (!fs.existsSync(path.join(sdkDir, file))) {
      problems.push(`${token}: the SDK has no ${file}`);
      continue;
    }
    const source = sdkSource(file);
    const outputsSpec: ObjectSpec = { properties: spec.properties, required: spec.required ?? [] };
    problems.push(
      ...compareObject(
        `${Name}Args`,
        interfaceMembers(source, `${Name}Args`),
        { properties: spec.inputProperties, required: spec.requiredInputs ?? [] },
        { input: true },
      ),
      ...compareObject(
        `${Name}State`,
        interfaceMembers(source, `${Name}State`),
        { properties: spec.stateInputs?.properties ?? {}, required: [] },
        { input: true },
      ),
      ...compareObject(Name, classOutputs(source, Name), outputsSpec, { input: false }),
      ...outputsNotDeclared(source, Name).map(
        (n) => `${Name}.${n}: must be declared with "declare"`,
      ),
    );
    const pulumiType = pulumiTypeOf(source, Name);
    if (pulumiType !== token) {
      problems.push(`${file}: __pulumiType is ${pulumiType}, not ${token}`);
    }
    const sent = [...assignedResourceInputs(source, Name)].sort();
    const expected = Object.keys(spec.properties).sort();
    if (JSON.stringify(sent) !== JSON.stringify(expected)) {
      problems.push(
        `${file}: the constructor sends ${sent.join(", ")} but the schema has ${expected.join(", ")}`,
      );
    }

    const dynamicSource = sdkSource("dynamic.ts");
    problems.push(
      ...compareObject(`dynamic.${Name}`, classOutputs(dynamicSource, Name), outputsSpec, {
        input: false,
      }),
      ...outputsNotDeclared(dynamicSource, Name).map(
        (n) => `dynamic.${Name}.${n}: must be declared with "declare"`,
      ),
    );
    const dynamicSent = [...(superPropKeys(dynamicSource, Name, 2) ?? [])].sort();
    if (JSON.stringify(dynamicSent) !== JSON.stringify(expected)) {
      problems.push(
        `dynamic.ts: ${Name} sends ${dynamicSent.join(", ")} but the schema has ${expected.join(", ")}`,
      );
    }
  }
  return problems;
}

/** `types/output.ts` against `types` in the schema. */
export function compareTypes(schema: SchemaSpec): string[] {
  const source = sdkSource("types/output.ts");
  const problems: string[] = [];
  for (const [token, spec] of Object.entries(schema.types)) {
    const name = tokenName(token);
    problems.push(
      ...compareObject(`types.output.${name}`, interfaceMembers(source, name), spec, {
        input: false,
      }),
    );
  }
  return problems;
}

/** `ProviderArgs` and the Provider constructor against `provider.inputProperties`. */
export function compareProvider(schema: SchemaSpec): string[] {
  const source = sdkSource("provider.ts");
  const inputs = schema.provider.inputProperties;
  const problems = compareObject(
    "ProviderArgs",
    interfaceMembers(source, "ProviderArgs"),
    { properties: inputs, required: [] },
    { input: true },
  );
  const encodings = providerInputEncodings(source);
  for (const [name, prop] of Object.entries(inputs)) {
    const expected: Encoding = prop.secret ? "secret" : prop.type === "string" ? "plain" : "json";
    const actual = encodings.get(name);
    if (actual === undefined) {
      problems.push(`Provider: never sends ${name}`);
    } else if (actual !== expected) {
      problems.push(`Provider: sends ${name} ${actual}, the schema asks for ${expected}`);
    }
  }
  for (const name of encodings.keys()) {
    if (!(name in inputs)) {
      problems.push(`Provider: sends ${name}, which the schema does not declare`);
    }
  }
  return problems;
}

/** `config/vars.ts` against `config.variables`. */
export function compareConfig(schema: SchemaSpec): string[] {
  const source = sdkSource("config/vars.ts");
  const declared = declaredConstants(source);
  const getters = new Set(definedGetters(source));
  const problems: string[] = [];
  for (const [name, prop] of Object.entries(schema.config.variables)) {
    const sdk = declared.get(name);
    if (sdk === undefined) {
      problems.push(`config.${name}: in the schema but not declared in the SDK`);
      continue;
    }
    if (!getters.has(name)) {
      problems.push(`config.${name}: declared but no getter is defined`);
    }
    const expected = roughFromSchema(prop);
    if (sdk.type !== expected) {
      problems.push(`config.${name}: ${sdk.type} in the SDK but ${expected} in the schema`);
    }
    // A variable with a default always has a value; one without may be undefined.
    const hasDefault = prop.default !== undefined;
    if (sdk.orUndefined === hasDefault) {
      problems.push(
        `config.${name}: ${sdk.orUndefined ? "may be undefined" : "is never undefined"} in the ` +
          `SDK but the schema ${hasDefault ? "has" : "has no"} default`,
      );
    }
  }
  for (const name of declared.keys()) {
    if (!(name in schema.config.variables)) {
      problems.push(`config.${name}: in the SDK but not in the schema`);
    }
  }
  return problems;
}
