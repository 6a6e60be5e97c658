// Tests only: protobuf written by hand, field by field (no schema), to feed the decoders bytes
// whose every tag, length and varint the test chose.

export function varint(n: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? b | 0x80 : b);
  } while (v);
  return Buffer.from(out);
}

const tag = (no: number, wire: number) => varint(no * 8 + wire);
/** A varint field (int32/int64/bool); negatives as Go writes them: ten bytes. */
export const int = (no: number, n: number | bigint | boolean) => Buffer.concat([tag(no, 0), varint(typeof n === 'boolean' ? (n ? 1 : 0) : n)]);
export const bytes = (no: number, b: Buffer) => Buffer.concat([tag(no, 2), varint(b.length), b]);
export const str = (no: number, s: string) => bytes(no, Buffer.from(s, 'utf8'));
export const msg = (no: number, ...parts: Buffer[]) => bytes(no, Buffer.concat(parts));
export const fixed64 = (no: number) => Buffer.concat([tag(no, 1), Buffer.alloc(8, 7)]);
export const fixed32 = (no: number) => Buffer.concat([tag(no, 5), Buffer.alloc(4, 7)]);
/** metav1.Time as Go writes it: seconds only; an empty message for the zero time. */
export const time = (no: number, iso?: string) => (iso ? msg(no, int(1, Date.parse(iso) / 1000)) : msg(no));
export const entry = (no: number, key: string, value: string) => msg(no, str(1, key), str(2, value));

/** A whole API answer: "k8s\0" and a runtime.Unknown holding apiVersion, kind and the message. */
export function envelope(apiVersion: string, kind: string, raw: Buffer, contentEncoding = ''): Buffer {
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), msg(1, str(1, apiVersion), str(2, kind)), bytes(2, raw), str(3, contentEncoding), str(4, '')]);
}
