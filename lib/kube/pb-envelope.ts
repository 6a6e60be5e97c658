// A Kubernetes protobuf answer that is one object: the bytes "k8s\0", then a runtime.Unknown whose
// `raw` is the object's message (lists are read as they arrive: pb-list-decoder.ts). The API
// server answers in protobuf whatever a request that accepts it gets, errors included: an error's
// Status is turned into the JSON text apiErrorFrom() reads, so the message a user sees is the
// server's own whatever the encoding.
import { decodeAt, PbError, position, varintAt, type PbMessage } from './pb-decode.ts';
import { ENVELOPE_TYPE_META, STATUS } from './pb-schema.ts';

/** What every protobuf answer of the API server starts with. */
export const MAGIC = Buffer.from('k8s\0', 'latin1');

/** The envelope's apiVersion and kind, and the object's message as decoded by `message`. */
export function objectOf(body: Buffer, message: PbMessage): Record<string, unknown> {
  if (!body.subarray(0, MAGIC.length).equals(MAGIC)) throw new PbError('not a Kubernetes protobuf response');
  let head: Record<string, unknown> = {};
  let object: Record<string, unknown> | undefined;
  let at = MAGIC.length;
  while (at < body.length) {
    const tag = varintAt(body, at, body.length);
    if ((tag & 7) !== 2) throw new PbError('the envelope holds a field that is not length-delimited');
    const length = varintAt(body, position(), body.length);
    const from = position();
    if (from + length > body.length) throw new PbError('the response ended early');
    if (tag >>> 3 === 1) head = decodeAt(body, from, from + length, ENVELOPE_TYPE_META);
    else if (tag >>> 3 === 2) object = decodeAt(body, from, from + length, message);
    else if (tag >>> 3 === 3 && length > 0) throw new PbError('the object is in a content encoding');
    at = from + length;
  }
  if (!object) throw new PbError('the response holds no object');
  return { ...head, ...object };
}

export function statusText(body: Buffer): string {
  try {
    const status = objectOf(body, STATUS);
    if (status.kind !== 'Status') throw new PbError('not a Status');
    return JSON.stringify(status);
  } catch {
    // Not what it claimed to be: the bytes as text, for the line that says the request failed.
    return body.toString('utf8');
  }
}
