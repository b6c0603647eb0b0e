/**
 * The run-time half of `smartag.dynamic.UserOnlineClientStatistics` (dynamic.ts).
 *
 * The dynamic provider's functions are serialised into the Pulumi state and run later in the
 * engine's Node.js dynamic provider process. They capture nothing but the package path of this
 * module, load it there with `require`, and call it; this module finds the Smartag client and
 * the resource's logic, and takes the credentials from the stack configuration the engine
 * passes to `configure` (or the environment). So no client, no configuration and no credential
 * is ever part of the serialised text or the state.
 *
 * Where the logic comes from: `pulumi-smartag-provider/dynamic`, the plugin's own package (the
 * repository's root package, not on npm; an optional peer dependency of this SDK). This SDK does
 * not bundle a second copy: the dynamic form and the plugin share one implementation. In this
 * repository the root package links itself into its own node_modules, so it resolves here too.
 *
 * Not part of the public API (every export is @internal): only the dynamic provider's functions load it.
 */

/** @internal The package holding the client and the resource's logic. */
export const PROVIDER_PACKAGE = "pulumi-smartag-provider";
const ENTRY = `${PROVIDER_PACKAGE}/dynamic`;

/** What this module needs of `pulumi-smartag-provider/dynamic`. */
interface Standalone {
  SETTING_KEYS: readonly string[];
  dynamicFunctions(variables: Record<string, string>): DynamicFunctions;
}

/** @internal The dynamic provider's functions (pulumi.dynamic.ResourceProvider), loosely typed. */
export interface DynamicFunctions {
  check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<unknown>;
  diff(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<unknown>;
  create(inputs: Record<string, unknown>): Promise<unknown>;
  read(id: string, props: Record<string, unknown>): Promise<unknown>;
  update(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<unknown>;
  delete(id: string, props: Record<string, unknown>): Promise<void>;
}

/** @internal What `configure` receives: the dynamic provider's view of the stack configuration. */
export interface ConfigSource {
  get(key: string): unknown;
}

let standalone: Standalone | undefined;
let variables: Record<string, string> = {};
let functions: DynamicFunctions | undefined;

/**
 * Takes the `smartag:<key>` values out of the stack configuration (the engine gives dynamic
 * providers all of it, secrets decrypted). They stay in this process's memory only.
 * @internal
 */
export async function configure(config: ConfigSource): Promise<void> {
  const found: Record<string, string> = {};
  for (const key of load().SETTING_KEYS) {
    const value = config.get(`smartag:${key}`);
    if (typeof value === "string" && value !== "") found[`smartag:${key}`] = value;
  }
  variables = found;
  functions = undefined;
}

/** @internal The functions, over a client built from the configuration (or the environment). */
export function provider(): DynamicFunctions {
  functions ??= load().dynamicFunctions(variables);
  return functions;
}

function load(): Standalone {
  standalone ??= loadStandalone();
  return standalone;
}

function loadStandalone(): Standalone {
  try {
    // Installed next to this SDK: resolved from here, so from the program's node_modules.
    return require(ENTRY) as Standalone;
  } catch (e) {
    // Anything but "that package is not installed" (a broken install, a missing dependency of
    // it) is reported as it is.
    const missing =
      (e as { code?: unknown }).code === "MODULE_NOT_FOUND" &&
      String((e as Error).message).includes(ENTRY);
    if (!missing) throw e;
    throw new Error(
      `smartag.dynamic.UserOnlineClientStatistics needs ${ENTRY} (the Smartag client it runs). ` +
        `${PROVIDER_PACKAGE} is the root package of the pulumi-smartag repository and is not on ` +
        "npm: build a checkout (npm ci && npm run build) and install it by path next to " +
        "pulumi-smartag (npm install /path/to/pulumi-smartag), or use " +
        "smartag.UserOnlineClientStatistics, which runs in the provider plugin",
    );
  }
}
