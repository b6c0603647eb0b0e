// Works around a Node.js bug that turns every failing Pulumi program into a minute-long hang.
//
// `util.inspect(err, { colors: true })` underlines the package name in each stack frame that goes
// through node_modules (markNodeModules in lib/internal/util/inspect.js). Recent releases (this
// repository's Node 20.20.2; upstream reports name 24.7 and 26.3) find the name's end with
// indexOf; when the frame has no path separator after the name (`.../node_modules/foo.js:1:1`, or
// a scope followed by a file, `.../node_modules/@pulumi/output.ts:516:31`), indexOf returns -1,
// the scan restarts at the beginning of the line, and it appends to the same string until V8
// refuses to make a longer one (`RangeError: Invalid string length`): tens of seconds of CPU and
// garbage collection, about a gigabyte of memory. nodejs/node#64011, fixed by nodejs/node#64022
// (June 2026); Node 20 was out of support by then.
//
// @pulumi/pulumi's run scripts hit it on every uncaught error: their handler formats the error with
// defaultErrorMessage (cmd/run/error.js, `util.inspect(err, { colors: true })`) at least for the
// trace span, RunErrors included, and the SDK's source maps rewrite its own frames to
// `node_modules/@pulumi/<file>.ts`, exactly the shape above. An error thrown inside an `apply`
// always has such frames (output.ts), so `pulumi up` sat for 50-90 s before the program could
// even send its error to the engine.
//
// The host preloads preload.ts into the programs, plugins and policy packs it starts, which wraps
// the exported `util.inspect`: when colours are asked for and an error that would be inspected
// has such a frame, it is formatted without colours (same text, no ANSI codes). Everything else
// goes to Node's inspect untouched. `console.*` and `util.format` call Node's internal inspect,
// not the export, so they are not covered; they only colour for a TTY, and our children's output
// goes to pipes.

// Node's inspect is overloaded; `never[]` accepts it (and any stand-in) as it is.
type AnyInspect = (...args: never[]) => string;
type Inspect = (value: unknown, ...rest: unknown[]) => string;

const guardMarker = Symbol.for("pulumi-smartag.langhost.inspectGuard");

/**
 * True when Node's markNodeModules would loop on one of these stack lines: a `node_modules`
 * path segment whose package name is not followed by another separator of the same kind.
 * Mirrors the scan of the affected Node versions; erring on the side of "true" only costs colour.
 */
export function hasRunawayFrame(stack: string): boolean {
  for (const line of stack.split("\n")) {
    let from = 0;
    for (;;) {
      const at = line.indexOf("node_modules", from);
      if (at === -1) break;
      from = at + 1;
      const separator = line[at - 1];
      const after = line[at + "node_modules".length];
      if ((separator !== "/" && separator !== "\\") || (after !== "/" && after !== "\\")) continue;
      const nameStart = at + "node_modules".length + 1;
      let nameEnd = line.indexOf(separator, nameStart);
      // Scoped packages: the name runs to the separator after `@scope/name`.
      if (nameEnd !== -1 && line[nameStart] === "@") nameEnd = line.indexOf(separator, nameEnd + 1);
      if (nameEnd === -1) return true;
    }
  }
  return false;
}

function isErrorLike(value: object): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === "[object Error]";
}

// Node formats errors wherever they sit in the inspected value (properties, `cause`, `errors`).
// Look where it would look, without running getters (inspect does not run them either, apart
// from an error's own `stack`), and give up on huge graphs: the walk must stay cheap.
const maxDepth = 6;
const maxNodes = 2000;

/** True when inspecting `value` with colours could reach a stack that triggers the Node bug. */
export function needsColourlessInspect(value: unknown): boolean {
  const seen = new Set<object>();
  const visit = (v: unknown, depth: number): boolean => {
    if ((typeof v !== "object" && typeof v !== "function") || v === null) return false;
    if (seen.has(v) || depth > maxDepth || seen.size >= maxNodes) return false;
    seen.add(v);
    if (isErrorLike(v)) {
      let stack: unknown;
      try {
        stack = v.stack;
      } catch {
        stack = undefined;
      }
      if (typeof stack === "string" && hasRunawayFrame(stack)) return true;
    }
    let keys: (string | symbol)[];
    try {
      keys = Reflect.ownKeys(v);
    } catch {
      return false; // a revoked proxy, say: inspect will have its own opinion
    }
    for (const key of keys) {
      if (key === "stack") continue;
      let descriptor: PropertyDescriptor | undefined;
      try {
        descriptor = Object.getOwnPropertyDescriptor(v, key);
      } catch {
        continue;
      }
      if (descriptor && "value" in descriptor && visit(descriptor.value, depth + 1)) return true;
    }
    return false;
  };
  return visit(value, 0);
}

function asOptions(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * Wraps Node's `util.inspect`. Accepts both call forms Node does: `inspect(value, options)` and
 * the legacy `inspect(value, showHidden, depth, colors)`.
 */
export function guardInspect<T extends AnyInspect>(original: T): T {
  if ((original as unknown as Record<symbol, unknown>)[guardMarker]) return original;
  const inspect = original as unknown as Inspect;
  const defaults = () =>
    asOptions((inspect as unknown as { defaultOptions?: unknown }).defaultOptions) ?? {};
  const guarded = function inspectWithoutRunaway(
    this: unknown,
    value: unknown,
    ...rest: unknown[]
  ): string {
    const [opts, legacyDepth, legacyColors] = rest;
    const options = asOptions(opts);
    // Same precedence as Node: defaults, then the legacy positional colours, then the options.
    let colors = defaults().colors;
    if (rest.length > 2 && legacyColors !== undefined) colors = legacyColors;
    if (options && Object.hasOwn(options, "colors")) colors = options.colors;
    if (!colors || !needsColourlessInspect(value)) return inspect.call(this, value, ...rest);
    const plain: Record<string, unknown> = {};
    if (rest.length > 1 && legacyDepth !== undefined) plain.depth = legacyDepth;
    if (typeof opts === "boolean") plain.showHidden = opts;
    else if (options) Object.assign(plain, options);
    plain.colors = false;
    return inspect.call(this, value, plain);
  };
  // inspect.custom, inspect.defaultOptions (an accessor), inspect.colors and inspect.styles must
  // stay what they are: libraries read and write them through util.inspect.
  for (const key of Reflect.ownKeys(inspect)) {
    if (key === "prototype") continue;
    const descriptor = Object.getOwnPropertyDescriptor(inspect, key);
    if (descriptor) Object.defineProperty(guarded, key, descriptor);
  }
  Object.defineProperty(guarded, guardMarker, { value: true });
  return guarded as unknown as T;
}

/** Replaces `util.inspect` on Node's util module (the object `require("util")` returns). */
export function installInspectGuard(util: { inspect: AnyInspect }): void {
  util.inspect = guardInspect(util.inspect);
}
