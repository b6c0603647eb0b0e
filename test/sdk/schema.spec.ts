// The schema is the one source of the SDKs (npm run gen:sdk); these hold it to what users read.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

interface PropertySpec {
  description?: string;
  secret?: boolean;
}
interface ObjectSpec {
  properties: Record<string, PropertySpec>;
}
const schema = JSON.parse(
  fs.readFileSync(path.join(__dirname, "../../provider/schema.json"), "utf8"),
) as {
  config: { variables: Record<string, PropertySpec> };
  provider: { inputProperties: Record<string, PropertySpec> };
  functions: Record<string, { description?: string; inputs: ObjectSpec; outputs: ObjectSpec }>;
  resources: Record<
    string,
    {
      description?: string;
      inputProperties: Record<string, PropertySpec>;
      properties: Record<string, PropertySpec>;
    }
  >;
  types: Record<string, { description?: string } & ObjectSpec>;
};

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
