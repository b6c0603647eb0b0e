/**
 * The resource's logic for the SDK's dynamic provider (`smartag.dynamic.UserOnlineClientStatistics`),
 * for programs that cannot load the plugin.
 *
 * A dynamic provider's functions are serialised into the Pulumi state, so they carry no client
 * and no credential: inside the dynamic provider process they load this module (through the
 * SDK's dynamicRuntime, by package path) and it builds the client there, from the stack
 * configuration the engine hands dynamic providers (`smartag:<key>`, as for the plugin) and the
 * environment. Check, Diff, Create, Read and Update are the plugin's own functions, so both forms
 * validate, diff and record alike.
 *
 * Kept free of `@pulumi/pulumi` at run time: the dynamic provider process has its own copy.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { SETTING_KEYS, SmartagClient, SmartagValidationError } from "@pulumi-smartag/client";
import { resolveProviderConfig } from "../config";
import * as statistics from "./userOnlineClientStatistics";

export { SETTING_KEYS };

/** The property the dynamic provider keeps its own serialised text under; never an input. */
const PROVIDER_KEY = "__provider";

/** A dynamic ResourceProvider's functions, minus `configure` (the SDK's runtime handles it). */
export type DynamicFunctions = Required<
  Pick<dynamic.ResourceProvider, "check" | "diff" | "create" | "read" | "update" | "delete">
>;

/**
 * The dynamic provider's functions over a client built from `variables` (`smartag:<key>`
 * values from the stack configuration), then the environment fallbacks. Not `PULUMI_CONFIG`:
 * in the dynamic provider's process the engine fills it from the `pulumi-nodejs` namespace.
 *
 * The client is built on first use, so a bad configuration fails the operation that needs the
 * API with every bad key named, and Check, Diff and Delete work without one.
 */
export function dynamicFunctions(
  variables: Record<string, string>,
  env: NodeJS.ProcessEnv = process.env,
): DynamicFunctions {
  let client: SmartagClient | undefined;
  let region: string | undefined;
  const resolved = () => resolveProviderConfig({ variables, env, pulumiConfig: false });
  const clientNow = (): SmartagClient => {
    if (!client) {
      const { settings, issues } = resolved();
      if (!settings) {
        throw new SmartagValidationError(
          issues.map((i) => ({ ...i, property: `smartag:${i.property}` })),
        );
      }
      client = new SmartagClient(settings);
    }
    return client;
  };
  // Check and Diff need only the region; a configuration too broken for a client has none.
  const defaultRegion = (): string | undefined => {
    region ??= resolved().settings?.region;
    return region;
  };

  return {
    async check(_olds, news) {
      const failures = statistics.check(clientNow(), withoutProvider(news));
      return { inputs: news, failures };
    },
    async diff(_id, olds, news) {
      const d = statistics.diff(olds, undefined, withoutProvider(news), defaultRegion());
      return {
        changes: d.diffs.length > 0,
        replaces: d.replaces,
        deleteBeforeReplace: false,
      };
    },
    async create(inputs) {
      const { id, state } = await statistics.create(clientNow(), withoutProvider(inputs));
      return { id, outs: state };
    },
    async read(id, props) {
      const found = await statistics.read(clientNow(), id, {}, withoutProvider(props));
      // An empty id tells the engine the record is gone with its instance.
      return found ? { id: found.id, props: found.state } : { id: "", props: {} };
    },
    async update(_id, _olds, news) {
      const { state } = await statistics.update(clientNow(), withoutProvider(news));
      return { outs: state };
    },
    // The record lives only in the state: forgetting it is all there is to do.
    async delete() {},
  };
}

function withoutProvider(props: unknown): Record<string, unknown> {
  const { [PROVIDER_KEY]: _serialised, ...rest } = (props ?? {}) as Record<string, unknown>;
  return rest;
}
