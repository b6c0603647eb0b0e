import { isIPv4, isIPv6 } from "node:net";

/** How far a bind address reaches: this machine only, every interface, or one network address. */
export type Exposure = "loopback" | "everywhere" | "network";

export function exposureOf(host: string): Exposure {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "" || h === "0.0.0.0" || (isIPv6(h) && /^[0:]+$/.test(h))) return "everywhere";
  if (h === "localhost" || h === "::1" || (isIPv4(h) && h.startsWith("127."))) return "loopback";
  return "network";
}

/** A URL a client on this machine can call: a wildcard bind is reached through loopback. */
export function endpointUrl(host: string, port: number): string {
  const h = host.replace(/^\[|\]$/g, "");
  if (exposureOf(h) === "everywhere") return `http://${isIPv6(h) ? "[::1]" : "127.0.0.1"}:${port}`;
  return `http://${h.includes(":") ? `[${h}]` : h}:${port}`;
}

/** The warning the CLI prints when the emulator can be reached from other machines. */
export function exposureWarning(host: string): string | undefined {
  const where = exposureOf(host);
  if (where === "loopback") return undefined;
  const reach =
    where === "everywhere"
      ? `it listens on every interface (${host === "" ? "all addresses" : host})`
      : `it listens on ${host}`;
  return (
    `warning: ${reach}, so other machines that can reach this one can call it. ` +
    "Its access keys are test keys anyone can read; use --host 127.0.0.1 unless you need this."
  );
}
