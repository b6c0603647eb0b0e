/**
 * The shape every resource served by the plugin has, so server.ts can dispatch by type token
 * the way it dispatches invokes. Property values are in Pulumi's wire encoding both ways.
 */
import type { CallOptions, SmartagClient, ValidationIssue } from "@pulumi-smartag/client";

export type DiffKind = "add" | "delete" | "update";

export interface DiffOutcome {
  /** Inputs that changed; empty when the recorded state is current. */
  diffs: string[];
  /** Those of `diffs` that need a new resource rather than an update. */
  replaces: string[];
  /** How each of `diffs` changed. */
  kinds: Record<string, DiffKind>;
}

export interface ResourceHandler {
  /** Problems with the inputs; no network call. Unknown values are not judged. */
  check(client: SmartagClient, news: unknown): ValidationIssue[];
  /**
   * @param oldInputs undefined when the engine did not send the recorded inputs.
   * @param defaultRegion the provider's region.
   */
  diff(
    oldState: unknown,
    oldInputs: unknown,
    news: unknown,
    defaultRegion: string | undefined,
  ): DiffOutcome;
  /** Outputs for a preview of Create or Update, without any API call. */
  preview(news: unknown, defaultRegion: string | undefined): Record<string, unknown>;
  create(
    client: SmartagClient,
    news: unknown,
    options: CallOptions,
  ): Promise<{ id: string; properties: Record<string, unknown> }>;
  /**
   * undefined when the resource no longer exists. `inputs` are what the state should record as
   * inputs from now on (the recorded ones, or derived from the state when there were none).
   */
  read(
    client: SmartagClient,
    id: string,
    inputs: unknown,
    state: unknown,
    options: CallOptions,
  ): Promise<
    { id: string; properties: Record<string, unknown>; inputs: Record<string, unknown> } | undefined
  >;
  update(
    client: SmartagClient,
    id: string,
    news: unknown,
    options: CallOptions,
  ): Promise<{ properties: Record<string, unknown> }>;
  /** Takes no client: a resource must be deletable even when the configuration is broken. */
  delete(id: string, state: unknown): Promise<void>;
}
