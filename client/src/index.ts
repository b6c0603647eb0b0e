/** The Smartag API client: usable on its own, without Pulumi. */
export * from "./client";
export * from "./credentials";
export * from "./endpoints";
export * from "./errors";
export * from "./options";
export { Redactor, rpcEncode } from "./redact";
export { backoffDelay, Deadline, type RetryPolicy, withRetry } from "./retry";
export * from "./schemas";
export { agentFor, type Exchange, exchange } from "./transport";
