/**
 * Pulumi's wire encoding of property values inside protobuf Structs: secrets are objects
 * tagged with a signature key, unknowns (preview) are a sentinel string. The engine sends
 * both to providers that accept secrets, so every input passes through `unwrap`.
 */

/** The key that marks a special object in a property map, and its secret signature. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** What the engine sends for a value not known until the update (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface Unwrapped {
  value: unknown;
  /** True when any part of the value was a secret. */
  secret: boolean;
  /** True when any part of the value is unknown (only during preview). */
  unknown: boolean;
}

/** Replaces secret wrappers by their plain values, noting whether there were any. */
export function unwrap(value: unknown): Unwrapped {
  const state = { secret: false, unknown: false };
  const walk = (v: unknown): unknown => {
    if (v === UNKNOWN) {
      state.unknown = true;
      return undefined;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (o[SIG_KEY] === SECRET_SIG) {
        state.secret = true;
        return walk(o.value);
      }
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  const out = walk(value);
  return { value: out, ...state };
}

/** Wraps a value as a secret for the engine. */
export function secret(value: unknown): Record<string, unknown> {
  return { [SIG_KEY]: SECRET_SIG, value };
}

export function isSecret(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === "object" &&
    (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG
  );
}
