/**
 * The provider's configuration: where each `smartag:<key>` comes from, and its checks.
 *
 * Sources, first found wins, per key: the Configure request's `args` (a Struct that keeps
 * secrets; for a default provider the engine fills it from the stack's `smartag:*` config), its
 * legacy `variables` (`smartag:config:<key>`), the `PULUMI_CONFIG` environment JSON (a default
 * provider's only; see `settingsFromPulumiConfigEnv`), and finally the environment fallbacks of
 * the Alibaba Cloud tools (ALIBABA_CLOUD_*, ALICLOUD_*).
 */
import {
  type ResolvedSettings,
  resolveSettings,
  SETTING_KEYS,
  type SettingsInput,
  type ValidationIssue,
  withEnvFallbacks,
} from "@pulumi-smartag/client";
import { unwrap } from "./values";

export const PACKAGE = "smartag";

/** Reads the config keys out of a Configure/CheckConfig property map (secrets unwrapped). */
export function settingsFromArgs(args: Record<string, unknown> | undefined): {
  input: SettingsInput;
  /** Keys that are not configuration keys of this provider. */
  unknownKeys: string[];
  /** Configuration keys whose values are not known until the update (preview only). */
  unknownValueKeys: string[];
} {
  const input: Record<string, unknown> = {};
  const unknownKeys: string[] = [];
  const unknownValueKeys: string[] = [];
  for (const [key, raw] of Object.entries(args ?? {})) {
    // The engine adds its own bookkeeping keys (e.g. `version`) to provider inputs.
    if (key === "version" || key === "pluginDownloadURL") continue;
    if (!(SETTING_KEYS as string[]).includes(key)) {
      unknownKeys.push(key);
      continue;
    }
    const { value, unknown } = unwrap(raw);
    if (unknown) unknownValueKeys.push(key);
    else if (value !== undefined && value !== null && value !== "") input[key] = value;
  }
  return { input: input as SettingsInput, unknownKeys, unknownValueKeys };
}

/**
 * Whether an issue could go away once the unknown values are known: it is about one of them,
 * or it is a rule across keys that read one of them (`dependsOn`).
 */
function dependsOnUnknown(issue: ValidationIssue, unknownValueKeys: readonly string[]): boolean {
  return unknownValueKeys.some((k) => issue.property === k || issue.dependsOn?.includes(k));
}

/** Reads `smartag:config:<key>` (legacy variables) or `smartag:<key>`. */
export function settingsFromVariables(vars: Record<string, string>): SettingsInput {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const v = vars[`${PACKAGE}:config:${key}`] ?? vars[`${PACKAGE}:${key}`];
    if (v !== undefined && v !== "") out[key] = v;
  }
  return out as SettingsInput;
}

/**
 * PULUMI_CONFIG as the engine sets it: the stack configuration of the plugin's own namespace,
 * keyed by the bare name, secrets decrypted: `{"region":"cn-shanghai"}` for `smartag:region`
 * (pkg/host/host.go, `Provider`: it keeps the keys whose namespace is the package and writes
 * `k.Name()`). The prefixed forms are read too, after the bare one. Malformed JSON counts as
 * empty.
 *
 * The engine sets it for every plugin process of the package, explicit providers included, so
 * callers read it for a default provider only (see `isDefaultProvider`).
 */
export function settingsFromPulumiConfigEnv(env: NodeJS.ProcessEnv): SettingsInput {
  const raw = env.PULUMI_CONFIG;
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return {};
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return {};
  const config = parsed as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const v = [key, `${PACKAGE}:${key}`, `${PACKAGE}:config:${key}`]
      .map((k) => config[k])
      // Object-valued keys (assumeRole) may come as objects or as their JSON text.
      .find((x) => (typeof x === "string" && x !== "") || (typeof x === "object" && x !== null));
    if (v !== undefined) out[key] = v;
  }
  return out as SettingsInput;
}

/**
 * Whether a provider URN names a default provider, by the engine's own rule (a provider resource
 * whose name starts with `default`, as in `default_0_1_0`). Only a default provider stands for
 * the stack configuration: an explicit `new smartag.Provider(...)` takes its arguments and the
 * environment, as other Pulumi providers do. Without a URN (an engine that does not send it)
 * the provider may be either, and counts as default.
 */
export function isDefaultProvider(urn: string | undefined): boolean {
  if (!urn) return true;
  const parts = urn.split("::");
  const type = parts[2] ?? "";
  const name = parts.slice(3).join("::");
  return type.split("$").pop() === `pulumi:providers:${PACKAGE}` && name.startsWith("default");
}

/** Earlier sources win, key by key. */
export function merge(...sources: SettingsInput[]): SettingsInput {
  const out: Record<string, unknown> = {};
  for (const src of sources) {
    for (const [k, v] of Object.entries(src)) if (out[k] === undefined) out[k] = v;
  }
  return out as SettingsInput;
}

export interface ConfigSources {
  args?: Record<string, unknown> | undefined;
  variables?: Record<string, string> | undefined;
  env?: NodeJS.ProcessEnv;
  /**
   * Read the `PULUMI_CONFIG` environment JSON (default true): only for a default provider, and
   * not in the dynamic provider's process, whose `PULUMI_CONFIG` holds another namespace.
   */
  pulumiConfig?: boolean;
  /** Report keys this provider does not know (CheckConfig); Configure tolerates them. */
  strict?: boolean;
  /**
   * Values not known until the update (CheckConfig in a preview) are not judged, nor the rules
   * across keys that involve them; no settings come back then. Without this, an unknown value
   * is itself the problem reported.
   */
  allowUnknowns?: boolean;
}

/** Resolves the provider's settings from every source, reporting problems by key. */
export function resolveProviderConfig(sources: ConfigSources): {
  settings?: ResolvedSettings;
  issues: ValidationIssue[];
} {
  const env = sources.env ?? process.env;
  const { input, unknownKeys, unknownValueKeys } = settingsFromArgs(sources.args);
  const merged = withEnvFallbacks(
    merge(
      input,
      settingsFromVariables(sources.variables ?? {}),
      sources.pulumiConfig === false ? {} : settingsFromPulumiConfigEnv(env),
    ),
    env,
  );
  const { settings, issues } = resolveSettings(merged);
  const all = [
    ...(sources.strict ? unknownKeys : []).map((k) => ({
      property: k,
      reason: `is not a configuration key of the smartag provider (known: ${SETTING_KEYS.join(", ")})`,
    })),
    // Only what is known can be wrong: a preview judges the rest at the update.
    ...issues.filter((i) => !dependsOnUnknown(i, unknownValueKeys)),
  ];
  if (unknownValueKeys.length > 0) {
    if (!sources.allowUnknowns) {
      all.push(...unknownValueKeys.map((k) => ({ property: k, reason: "is not known yet" })));
    }
    return { issues: all };
  }
  return all.length > 0 || !settings ? { issues: all } : { settings, issues: [] };
}
