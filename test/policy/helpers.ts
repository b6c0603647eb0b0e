// Calls the pack's policies the way @pulumi/policy does for AnalyzeStack, without an engine: each
// resource's outputs behind @pulumi/policy's own unknown-checking proxy (so an unknown value
// throws when read, as in a real preview), a getConfig that answers the policy's config without
// its enforcement level, and a notApplicable that ends the validation by throwing.

import type { PolicyResource, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import * as policyProxy from "@pulumi/policy/proxy";

// The proxy and the sentinels for unknown values are exported at run time but marked @internal in
// @pulumi/policy's typings. Using the real ones keeps these tests honest about what a policy is
// handed during a preview.
const internals = policyProxy as unknown as {
  unknownCheckingProxy<T>(value: T): T;
  unknownArrayValue: string;
  unknownNumberValue: string;
  unknownObjectValue: string;
  unknownStringValue: string;
};

/** What the engine sends for values a preview cannot know yet. */
export const unknown = {
  array: internals.unknownArrayValue,
  number: internals.unknownNumberValue,
  object: internals.unknownObjectValue,
  string: internals.unknownStringValue,
};

/** Wraps values as @pulumi/policy wraps what it hands a policy: reading an unknown throws. */
export function proxied<T extends object>(value: T): T {
  return internals.unknownCheckingProxy(value);
}

export const PROJECT = "gate";
export const STACK = "dev";
export const stackUrn = `urn:pulumi:${STACK}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${STACK}`;

export interface FakeResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
}

export function urnOf(r: FakeResource): string {
  return r.type === "pulumi:pulumi:Stack"
    ? stackUrn
    : `urn:pulumi:${STACK}::${PROJECT}::pulumi:pulumi:Stack$${r.type}::${r.name}`;
}

function policyResource(r: FakeResource): PolicyResource {
  return {
    type: r.type,
    name: r.name,
    urn: urnOf(r),
    props: proxied(structuredClone(r.props)),
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    dependencies: [],
    propertyDependencies: {},
    // The pack never asks for classes; a fake that answers "no" keeps the type honest.
    isType: () => false,
    asType: () => undefined,
  };
}

/** The statistics resource (plugin form) as recorded after `pulumi up` on the default fixture. */
export function recordedGate(overrides: Record<string, unknown> = {}): FakeResource {
  return {
    type: "smartag:index:UserOnlineClientStatistics",
    name: "gate",
    props: {
      id: "cn-shanghai/sag-demo0001",
      regionId: "cn-shanghai",
      smartAgId: "sag-demo0001",
      userNames: ["doctest", "alice@example.com", "bob.smith", "carol_01"],
      userStatistics: [
        { userName: "doctest", onlineCount: 2 },
        { userName: "alice@example.com", onlineCount: 0 },
        { userName: "bob.smith", onlineCount: 5 },
        { userName: "carol_01", onlineCount: 1 },
      ],
      totalOnlineCount: 8,
      requestIds: ["0F4C0C48-5B0A-4E3B-9D34-2E6B1D0B4C11"],
      ...overrides,
    },
  };
}

/** The same resource in the preview of its creation: the counts are not known yet. */
export function previewedGate(): FakeResource {
  return recordedGate({
    userStatistics: unknown.array,
    totalOnlineCount: unknown.number,
    requestIds: unknown.array,
  });
}

export function stack(outputs: Record<string, unknown>): FakeResource {
  return { type: "pulumi:pulumi:Stack", name: `${PROJECT}-${STACK}`, props: outputs };
}

export interface Outcome {
  violations: { message: string; urn: string | undefined }[];
  /** The reason given to notApplicable, when the policy said it had nothing to judge. */
  notApplicable: string | undefined;
}

class NotApplicable extends Error {
  constructor(readonly reason: string | undefined) {
    super(`not applicable: ${reason}`);
  }
}

/**
 * Runs one stack policy over the resources, with the policy config as the engine would hand it
 * (the policy's part of the pack config file, enforcement level and all).
 */
export async function validate(
  policy: StackValidationPolicy,
  resources: readonly FakeResource[],
  config: Record<string, unknown> = {},
): Promise<Outcome> {
  const outcome: Outcome = { violations: [], notApplicable: undefined };
  const { enforcementLevel: _level, ...properties } = config;
  const args: StackValidationArgs = {
    resources: resources.map(policyResource),
    stackTags: new Map(),
    getConfig: <T extends object>() => structuredClone(properties) as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
  try {
    await policy.validateStack(args, (message, urn) => {
      outcome.violations.push({ message, urn });
    });
  } catch (err) {
    if (!(err instanceof NotApplicable)) throw err;
    outcome.notApplicable = err.reason ?? "";
  }
  return outcome;
}
