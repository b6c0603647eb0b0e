/**
 * The Invoke answer encoded straight from a plain object to protobuf bytes. google-protobuf's
 * `Struct.fromJavaScript` then `serializeBinary` built a message object per value and cost the
 * plugin about as much CPU as the whole client call at 1,000 names (see docs/BENCHMARKS.md).
 *
 * Wire format: google.protobuf.Struct (fields: map<string, Value> = 1), Value (null_value = 1,
 * number_value = 2, string_value = 3, bool_value = 4, struct_value = 5, list_value = 6),
 * ListValue (values = 1), and pulumirpc.InvokeResponse (return = 1). Undefined values are left
 * out, as JSON leaves them.
 */

/**
 * Sizes of every length-delimited part, in the order the writer meets them; the sizing pass
 * fills it so the writing pass need not measure anything twice.
 */
type Sizes = number[];

const varintLength = (n: number) =>
  n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
const delimited = (n: number) => 1 + varintLength(n) + n;

function sizeValue(v: unknown, sizes: Sizes): number {
  if (v === null || typeof v === "boolean") return 2;
  if (typeof v === "number") return 9;
  if (typeof v === "string") {
    const n = Buffer.byteLength(v);
    sizes.push(n);
    return delimited(n);
  }
  const at = sizes.push(0) - 1;
  const n = Array.isArray(v) ? sizeList(v, sizes) : sizeStruct(v as Record<string, unknown>, sizes);
  sizes[at] = n;
  return delimited(n);
}

function sizeList(a: readonly unknown[], sizes: Sizes): number {
  let total = 0;
  for (const v of a) {
    const at = sizes.push(0) - 1;
    const n = sizeValue(v === undefined ? null : v, sizes);
    sizes[at] = n;
    total += delimited(n);
  }
  return total;
}

function sizeStruct(o: Record<string, unknown>, sizes: Sizes): number {
  let total = 0;
  for (const key in o) {
    const v = o[key];
    if (v === undefined) continue;
    const at = sizes.push(0, 0, 0) - 3;
    const k = Buffer.byteLength(key);
    const n = sizeValue(v, sizes);
    sizes[at + 1] = k;
    sizes[at + 2] = n;
    const entry = delimited(k) + delimited(n);
    sizes[at] = entry;
    total += delimited(entry);
  }
  return total;
}

class Writer {
  pos = 0;
  next = 0;
  constructor(
    readonly buf: Buffer,
    readonly sizes: Sizes,
  ) {}

  varint(n: number): void {
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
  }

  /** A tag and the next recorded size. */
  head(tag: number): void {
    this.buf[this.pos++] = tag;
    this.varint(this.sizes[this.next++] as number);
  }

  value(v: unknown): void {
    if (v === null) {
      this.buf[this.pos++] = 0x08;
      this.buf[this.pos++] = 0;
    } else if (typeof v === "boolean") {
      this.buf[this.pos++] = 0x20;
      this.buf[this.pos++] = v ? 1 : 0;
    } else if (typeof v === "number") {
      this.buf[this.pos++] = 0x11;
      this.pos = this.buf.writeDoubleLE(v, this.pos);
    } else if (typeof v === "string") {
      this.head(0x1a);
      this.pos += this.buf.write(v, this.pos, "utf8");
    } else if (Array.isArray(v)) {
      this.head(0x32);
      this.list(v);
    } else {
      this.head(0x2a);
      this.struct(v as Record<string, unknown>);
    }
  }

  list(a: readonly unknown[]): void {
    for (const v of a) {
      this.head(0x0a);
      this.value(v === undefined ? null : v);
    }
  }

  struct(o: Record<string, unknown>): void {
    for (const key in o) {
      const v = o[key];
      if (v === undefined) continue;
      this.head(0x0a); // the map entry
      this.head(0x0a); // its key
      this.pos += this.buf.write(key, this.pos, "utf8");
      this.head(0x12); // its value
      this.value(v);
    }
  }
}

/** The bytes of a pulumirpc.InvokeResponse whose `return` is `result`. */
export function encodeInvokeReturn(result: Record<string, unknown>): Buffer {
  const sizes: Sizes = [0];
  const n = sizeStruct(result, sizes);
  sizes[0] = n;
  const w = new Writer(Buffer.allocUnsafe(delimited(n)), sizes);
  w.head(0x0a);
  w.struct(result);
  return w.buf;
}
