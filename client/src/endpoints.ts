/**
 * Where requests go. Smartag endpoints are regional; an explicit endpoint (the local emulator,
 * a VPC endpoint) overrides the region's. Plain http is refused except on loopback, where it
 * cannot cross a network, because the request body carries the AccessKey id and STS token.
 */
import type { ValidationIssue } from "./errors";

/** The public endpoint of a region, e.g. `https://smartag.cn-shanghai.aliyuncs.com`. */
export function endpointForRegion(regionId: string): string {
  return `https://smartag.${regionId}.aliyuncs.com`;
}

/** True for hosts that name this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Checks an explicit endpoint and returns it normalised (origin only, no trailing slash), or
 * the problems with it named after `property`.
 */
export function checkEndpoint(
  endpoint: string,
  allowInsecureHttp: boolean,
  property = "endpoint",
): { endpoint?: string; issues: ValidationIssue[] } {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return {
      issues: [
        { property, reason: "must be a URL such as https://smartag.cn-shanghai.aliyuncs.com" },
      ],
    };
  }
  const issues: ValidationIssue[] = [];
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    issues.push({ property, reason: "must use https:// (or http:// for a local emulator)" });
  } else if (url.protocol === "http:" && !allowInsecureHttp && !isLoopbackHost(url.hostname)) {
    issues.push({
      property,
      reason:
        "must use https:// for a non-loopback host (credentials travel in the request); set allowInsecureHttp to force http",
      dependsOn: ["allowInsecureHttp"],
    });
  }
  if (url.username || url.password) {
    issues.push({ property, reason: "must not contain credentials" });
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
    issues.push({ property, reason: "must be an origin only, without path, query or fragment" });
  }
  return issues.length > 0 ? { issues } : { endpoint: url.origin, issues };
}
