// Reads Kubernetes protobuf messages into the objects the API server's JSON would have given,
// for the fields a schema (pb-schema.ts) names; every other field is skipped by its length, unread.
// That is the point: a pod's spec is most of its bytes, and skipping it costs one varint.
//
// The JSON the API server writes is Go's encoding/json over the same struct, so what protobuf
// leaves implicit is decided per field as Go would: `omit` (omitempty: a zero or empty value is
// not written), `zero` (always written: its zero value when unset; a struct is always written),
// `set` (a pointer: written when set, even to a zero value - protobuf carries it then).

export type FieldKind = 'string' | 'int' | 'bool' | 'time' | 'message' | 'map';
export type Presence = 'omit' | 'zero' | 'set';

export interface PbField {
  readonly no: number;
  readonly name: string;
  readonly kind: FieldKind;
  readonly presence: Presence;
  readonly repeated: boolean;
  readonly message?: PbMessage;
}

export interface PbMessage {
  readonly fields: readonly PbField[];
  /** By field number. */
  readonly byNo: ReadonlyArray<PbField | undefined>;
  /** Written by Go whatever protobuf carried: filled in when absent. */
  readonly always: readonly PbField[];
}

export function pbMessage(fields: PbField[]): PbMessage {
  const byNo: Array<PbField | undefined> = [];
  for (const f of fields) byNo[f.no] = f;
  for (let i = 0; i < byNo.length; i++) byNo[i] ??= undefined;
  return { fields, byNo, always: fields.filter((f) => f.presence === 'zero') };
}

export class PbError extends Error {}

const WIRE_VARINT = 0;
const WIRE_64 = 1;
const WIRE_LEN = 2;
const WIRE_32 = 5;

/** The read position, shared by the functions below (a second return value without an allocation). */
let pos = 0;

export function position(): number {
  return pos;
}

/** A varint at `at` (pos moves past it); int32/int64 as Go writes negatives (ten bytes, two's complement). */
export function varintAt(buf: Buffer, at: number, end: number): number {
  pos = at;
  return varint(buf, end);
}

function varint(buf: Buffer, end: number): number {
  if (pos >= end) throw new PbError('truncated varint');
  let b = buf[pos++]!;
  if (b < 0x80) return b;
  const start = pos - 1;
  let v = b & 0x7f;
  let scale = 128;
  for (let n = 1; ; n++) {
    if (pos >= end) throw new PbError('truncated varint');
    b = buf[pos++]!;
    v += (b & 0x7f) * scale;
    if (b < 0x80) break;
    if (n === 9) throw new PbError('varint too long');
    scale *= 128;
  }
  // Past 2^53 a double loses bits: only negatives get there in practice; read them exactly.
  return v < 2 ** 53 ? v : Number(BigInt.asIntN(64, bigVarint(buf, start)));
}

function bigVarint(buf: Buffer, from: number): bigint {
  let v = 0n;
  let shift = 0n;
  for (let i = from; ; i++) {
    v |= BigInt(buf[i]! & 0x7f) << shift;
    if (buf[i]! < 0x80) return v;
    shift += 7n;
  }
}

/** Moves pos past a field's value of this wire type. */
function skip(buf: Buffer, wire: number, end: number): void {
  if (wire === WIRE_VARINT) varint(buf, end);
  else if (wire === WIRE_LEN) {
    const length = varint(buf, end); // not `pos += varint()`: that adds to pos as it was before the varint
    pos += length;
  }
  else if (wire === WIRE_64) pos += 8;
  else if (wire === WIRE_32) pos += 4;
  else throw new PbError(`wire type ${wire} is not read`);
  if (pos > end) throw new PbError('a field runs past its message');
}

function lengthEnd(buf: Buffer, end: number): number {
  const len = varint(buf, end);
  const to = pos + len;
  if (to > end) throw new PbError('a field runs past its message');
  return to;
}

/** metav1.Time: seconds since the epoch (nanoseconds are not kept by Go's JSON). Go writes the zero
 *  time as an empty message (JSON: null); 1970-01-01T00:00:00Z is a message with seconds 0. */
function time(buf: Buffer, to: number): string | null {
  if (pos === to) return null;
  let seconds = 0;
  while (pos < to) {
    const tag = varint(buf, to);
    if (tag === 8) seconds = varint(buf, to);
    else skip(buf, tag & 7, to);
  }
  return new Date(seconds * 1000).toISOString().slice(0, 19) + 'Z';
}

const utf8 = (buf: Buffer, from: number, to: number): string => buf.toString('utf8', from, to);

function stringMap(buf: Buffer, to: number, into: Record<string, unknown>): void {
  let key = '';
  let value = '';
  while (pos < to) {
    const tag = varint(buf, to);
    if (tag === 10 || tag === 18) {
      const e = lengthEnd(buf, to);
      if (tag === 10) key = utf8(buf, pos, e);
      else value = utf8(buf, pos, e);
      pos = e;
    } else skip(buf, tag & 7, to);
  }
  // A key JSON.parse would make an own property must not become the prototype here either.
  if (key === '__proto__') Object.defineProperty(into, key, { value, writable: true, enumerable: true, configurable: true });
  else into[key] = value;
}

function zeroOf(f: PbField): unknown {
  if (f.repeated || f.kind === 'map' || f.kind === 'time') return null;
  if (f.kind === 'message') return fillAlways({}, f.message!);
  return f.kind === 'string' ? '' : f.kind === 'int' ? 0 : false;
}

function fillAlways(o: Record<string, unknown>, m: PbMessage): Record<string, unknown> {
  for (const f of m.always) if (!(f.name in o)) o[f.name] = zeroOf(f);
  return o;
}

/** The message in buf[pos, to) as JSON would give it (pos ends at `to`). */
export function decodeMessage(buf: Buffer, to: number, m: PbMessage): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const byNo = m.byNo;
  while (pos < to) {
    const tag = varint(buf, to);
    const wire = tag & 7;
    const no = tag >>> 3;
    const f = no < byNo.length ? byNo[no] : undefined;
    const kind = f?.kind;
    if (f === undefined || (wire === WIRE_VARINT) !== (kind === 'int' || kind === 'bool') || (wire !== WIRE_VARINT && wire !== WIRE_LEN)) {
      skip(buf, wire, to);
      continue;
    }
    let v: unknown;
    if (kind === 'int') v = varint(buf, to);
    else if (kind === 'bool') v = varint(buf, to) !== 0;
    else {
      const e = lengthEnd(buf, to);
      if (kind === 'string') {
        v = utf8(buf, pos, e);
        pos = e;
      } else if (kind === 'time') v = time(buf, e);
      else if (kind === 'map') {
        stringMap(buf, e, (o[f.name] ??= {}) as Record<string, unknown>);
        continue;
      } else v = decodeMessage(buf, e, f.message!);
    }
    if (f.repeated) {
      ((o[f.name] ??= []) as unknown[]).push(v);
      continue;
    }
    if (f.presence === 'omit' && (v === '' || v === 0 || v === false || v === null)) continue;
    o[f.name] = v;
  }
  return m.always.length ? fillAlways(o, m) : o;
}

/** The message buf[from, to) as JSON would give it. */
export function decodeAt(buf: Buffer, from: number, to: number, m: PbMessage): Record<string, unknown> {
  pos = from;
  return decodeMessage(buf, to, m);
}
