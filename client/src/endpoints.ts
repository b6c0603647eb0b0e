/**
 * Where requests go. Smartag endpoints are regional; an explicit endpoint (the local emulator,
 * a VPC endpoint) overrides the region's. Plain http is refused except on loopback, where it
 * cannot cross a network, because the request body carries the AccessKey id and STS token.
 */
import type { ValidationIssue } from "./errors";

/** Which of a region's endpoints to call: over the internet, or from inside a VPC. */
export type EndpointType = "public" | "vpc";
export const ENDPOINT_TYPES: readonly EndpointType[] = ["public", "vpc"];

/** A region in Smartag's published endpoint table. */
export interface SmartagRegion {
  name: string;
  /** Whether it has a VPC endpoint (`smartag-vpc.<region>.aliyuncs.com`). */
  vpc: boolean;
  /** Listed, but the service no longer runs there. */
  closed?: true;
}

/** Smartag's published regions. A region not listed here is still tried at its public endpoint. */
export const REGIONS: Readonly<Record<string, SmartagRegion>> = {
  "cn-shanghai": { name: "China (Shanghai)", vpc: true },
  "cn-hangzhou": { name: "China (Hangzhou)", vpc: false },
  "cn-hongkong": { name: "China (Hong Kong)", vpc: true },
  "ap-southeast-1": { name: "Singapore", vpc: true },
  "ap-southeast-2": { name: "Australia (Sydney)", vpc: false, closed: true },
  "ap-southeast-3": { name: "Malaysia (Kuala Lumpur)", vpc: true },
  "ap-southeast-5": { name: "Indonesia (Jakarta)", vpc: true },
  "ap-northeast-1": { name: "Japan (Tokyo)", vpc: true },
  "eu-central-1": { name: "Germany (Frankfurt)", vpc: true },
  "cn-shanghai-finance-1": { name: "China East 2 Finance", vpc: true },
};

/** The endpoint of a region, e.g. `https://smartag.cn-shanghai.aliyuncs.com`. */
export function endpointForRegion(regionId: string, type: EndpointType = "public"): string {
  return `https://smartag${type === "vpc" ? "-vpc" : ""}.${regionId}.aliyuncs.com`;
}

/**
 * Why a region's endpoint of this type cannot be used, or undefined when it can. `property`
 * names the region's source in the message (`regionId`, `region`).
 */
export function regionEndpointIssue(
  regionId: string,
  type: EndpointType,
  property = "regionId",
): ValidationIssue | undefined {
  const region = REGIONS[regionId];
  if (region?.closed) {
    return { property, reason: `names ${regionId} (${region.name}), where Smartag is closed` };
  }
  if (type === "vpc" && !region?.vpc) {
    const where = region
      ? `${regionId} (${region.name}) has only a public endpoint`
      : `${regionId} is not in Smartag's endpoint table`;
    return {
      property,
      reason: `has no VPC endpoint: ${where}; use endpointType public, or set endpoint`,
      dependsOn: ["endpointType"],
    };
  }
  return undefined;
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
