/**
 * The XML form of an answer, which the real API sends when `Format` is XML or missing (XML is
 * the RPC protocol's default). A client that forgot `Format=JSON` gets what it would get from
 * Alibaba Cloud: a body it cannot parse as JSON.
 */

/** `<Root>…</Root>` for a JSON-like value; array items repeat the element of their key. */
export function toXml(root: string, value: unknown): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${element(root, value)}`;
}

function element(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => element(name, item)).join("");
  if (value !== null && typeof value === "object") {
    const inner = Object.entries(value)
      .map(([k, v]) => element(k, v))
      .join("");
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value ?? ""))}</${name}>`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
