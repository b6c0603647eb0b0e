/** What every invoke handler shares: a client call whose bad arguments become failures. */
import {
  type CallOptions,
  type SmartagClient,
  SmartagValidationError,
  type ValidationIssue,
} from "@pulumi-smartag/client";

export type FunctionHandler = (
  client: SmartagClient,
  args: Record<string, unknown>,
  options: CallOptions,
) => Promise<{ failures: ValidationIssue[] } | { result: object }>;

/**
 * A handler over one client method. The client checks the arguments first and sends nothing
 * when they are bad; those problems come back as failures, API errors are thrown for the server
 * to turn into a gRPC error.
 */
export function viaClient<A>(
  call: (client: SmartagClient, args: A, options: CallOptions) => Promise<object>,
): FunctionHandler {
  return async (client, args, options) => {
    try {
      return { result: await call(client, args as A, options) };
    } catch (e) {
      if (e instanceof SmartagValidationError) return { failures: [...e.issues] };
      throw e;
    }
  };
}
