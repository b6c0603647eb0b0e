import * as pulumi from "@pulumi/pulumi";

/** What the SDK asked the (mocked) engine for, in order. */
export interface Recorded {
  calls: pulumi.runtime.MockCallArgs[];
  resources: pulumi.runtime.MockResourceArgs[];
}

/**
 * Installs Pulumi mocks that record every invoke and resource registration. `answer` produces
 * the invoke result; resources echo their inputs back as state.
 */
export async function installMocks(
  answer: (call: pulumi.runtime.MockCallArgs) => Record<string, unknown>,
): Promise<Recorded> {
  const recorded: Recorded = { calls: [], resources: [] };
  await pulumi.runtime.setMocks(
    {
      call(args) {
        recorded.calls.push(args);
        return answer(args);
      },
      newResource(args) {
        recorded.resources.push(args);
        return { id: `${args.name}-id`, state: args.inputs };
      },
    },
    "sdk-tests",
    "test",
    false,
  );
  return recorded;
}

// Output's value, secretness and dependencies are only reachable through members the public
// typings mark internal; the SDK's own tests read them the same way. Unlike `apply`, `promise()`
// rejects when the Output failed, so a broken invoke fails the test instead of hanging it.
interface OutputInternals<T> {
  promise(): Promise<T>;
  allResources(): Promise<Set<pulumi.Resource>>;
}

export function resolvedValue<T>(output: pulumi.Output<T>): Promise<T> {
  return (output as unknown as OutputInternals<T>).promise();
}

export function resourcesOf<T>(output: pulumi.Output<T>): Promise<Set<pulumi.Resource>> {
  return (output as unknown as OutputInternals<T>).allResources();
}
