import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as smartag from "pulumi-smartag";
import schema from "../../provider/schema.json";

type ConfigKey = keyof typeof smartag.config;

interface VariableSpec {
  /** Absent for object keys, which name their type with `$ref`. */
  type?: string;
  $ref?: string;
  default?: unknown;
  defaultInfo?: { environment: string[] };
}

const variables: Record<string, VariableSpec> = schema.config.variables;

function readConfig(key: string): unknown {
  return smartag.config[key as ConfigKey];
}

// Every environment variable the schema names, so a test can start from a clean slate and put
// the developer's own values back afterwards.
const envNames = Object.values(variables).flatMap((v) => v.defaultInfo?.environment ?? []);
let savedEnv: Record<string, string | undefined>;

describe("config", () => {
  beforeEach(() => {
    savedEnv = Object.fromEntries(envNames.map((name) => [name, process.env[name]]));
    for (const name of envNames) {
      delete process.env[name];
    }
    pulumi.runtime.setAllConfig({});
  });

  afterEach(() => {
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
    pulumi.runtime.setAllConfig({});
  });

  it("has a getter for every schema config variable and no other", () => {
    assert.deepEqual(Object.keys(smartag.config).sort(), Object.keys(variables).sort());
  });

  it("reads each key from the smartag namespace of the stack configuration", () => {
    pulumi.runtime.setAllConfig({
      "smartag:region": "cn-hongkong",
      "smartag:accessKey": "LTAI5tEmulatorKey01",
      "smartag:secretKey": "emulator-secret-01",
      "smartag:securityToken": "sts-token",
      "smartag:profile": "ci",
      "smartag:assumeRole": '{"roleArn":"acs:ram::1234567890:role/ops","sessionExpiration":900}',
      "smartag:assumeRoleWithOidc":
        '{"oidcProviderArn":"acs:ram::1234567890:oidc-provider/ci","oidcTokenFile":"/t","roleArn":"acs:ram::1234567890:role/ci"}',
      "smartag:sharedCredentialsFile": "/home/ci/.alibabacloud/credentials",
      "smartag:credentialsUri": "http://127.0.0.1:7002/credentials",
      "smartag:ecsRoleName": "ecs-role",
      "smartag:stsEndpoint": "sts-vpc.cn-shanghai.aliyuncs.com",
      "smartag:endpoint": "http://127.0.0.1:8080",
      "smartag:endpointType": "vpc",
      "smartag:allowInsecureHttp": "true",
      "smartag:connectTimeoutMs": "1500",
      "smartag:readTimeoutMs": "2500",
      "smartag:maxAttempts": "3",
      "smartag:retryBaseDelayMs": "100",
      "smartag:retryMaxDelayMs": "2000",
      "smartag:deadlineMs": "30000",
      "smartag:concurrency": "2",
      "smartag:maxRequestsPerSecond": "20",
      "smartag:cacheTtlMs": "0",
      "smartag:maxResponseBytes": "65536",
    });
    assert.deepEqual(
      { ...smartag.config },
      {
        region: "cn-hongkong",
        accessKey: "LTAI5tEmulatorKey01",
        secretKey: "emulator-secret-01",
        securityToken: "sts-token",
        profile: "ci",
        assumeRole: { roleArn: "acs:ram::1234567890:role/ops", sessionExpiration: 900 },
        assumeRoleWithOidc: {
          oidcProviderArn: "acs:ram::1234567890:oidc-provider/ci",
          oidcTokenFile: "/t",
          roleArn: "acs:ram::1234567890:role/ci",
        },
        sharedCredentialsFile: "/home/ci/.alibabacloud/credentials",
        credentialsUri: "http://127.0.0.1:7002/credentials",
        ecsRoleName: "ecs-role",
        stsEndpoint: "sts-vpc.cn-shanghai.aliyuncs.com",
        endpoint: "http://127.0.0.1:8080",
        endpointType: "vpc",
        allowInsecureHttp: true,
        connectTimeoutMs: 1500,
        readTimeoutMs: 2500,
        maxAttempts: 3,
        retryBaseDelayMs: 100,
        retryMaxDelayMs: 2000,
        deadlineMs: 30000,
        concurrency: 2,
        maxRequestsPerSecond: 20,
        cacheTtlMs: 0,
        maxResponseBytes: 65536,
      },
    );
  });

  it("ignores keys of another package's namespace", () => {
    pulumi.runtime.setAllConfig({ "alicloud:region": "cn-beijing", "smartag:maxAttempts": "2" });
    assert.equal(smartag.config.region, undefined);
    assert.equal(smartag.config.maxAttempts, 2);
  });

  it("returns the schema default when a key is neither configured nor in the environment", () => {
    for (const [key, spec] of Object.entries(variables)) {
      assert.equal(readConfig(key), spec.default, `smartag.config.${key}`);
    }
  });

  it("falls back to each environment variable the schema names, in order", () => {
    for (const [key, spec] of Object.entries(variables)) {
      const names = spec.defaultInfo?.environment ?? [];
      const sample = spec.type === "boolean" ? "true" : `from-${key}`;
      const expected = spec.type === "boolean" ? true : sample;
      for (const name of names) {
        process.env[name] = sample;
        assert.equal(readConfig(key), expected, `smartag.config.${key} from ${name}`);
        delete process.env[name];
      }
      if (names.length > 1) {
        const [first, second] = names as [string, string];
        process.env[first] = spec.type === "boolean" ? "false" : "first";
        process.env[second] = spec.type === "boolean" ? "true" : "second";
        const wanted = spec.type === "boolean" ? false : "first";
        assert.equal(readConfig(key), wanted, `smartag.config.${key} prefers ${first}`);
        delete process.env[first];
        delete process.env[second];
      }
    }
  });

  it("prefers the stack configuration over the environment", () => {
    process.env.ALIBABA_CLOUD_REGION = "cn-beijing";
    process.env.SMARTAG_ALLOW_INSECURE_HTTP = "true";
    pulumi.runtime.setAllConfig({
      "smartag:region": "cn-shanghai",
      "smartag:allowInsecureHttp": "false",
    });
    assert.equal(smartag.config.region, "cn-shanghai");
    assert.equal(smartag.config.allowInsecureHttp, false);
  });

  it("throws naming the key when a number is not a number", () => {
    pulumi.runtime.setAllConfig({ "smartag:maxAttempts": "many" });
    assert.throws(() => smartag.config.maxAttempts, /smartag:maxAttempts/);
  });
});
