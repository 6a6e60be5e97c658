// Decodes a protobuf LIST response while it arrives, as ListDecoder does JSON: the API server's
// envelope (the bytes "k8s\0", then a runtime.Unknown whose `raw` is the List message) is read
// header by header, and each item is decoded (pb-decode.ts) as soon as its last byte is in.
// A chunk is kept only until the item or header it ends inside is complete; the bytes such an
// item needs are joined once, when they are all in.
import { decodeAt, PbError, position, varintAt, type PbMessage } from './pb-decode.ts';
import { MAGIC } from './pb-envelope.ts';
import { ENVELOPE_TYPE_META, LIST_META } from './pb-schema.ts';

/** Where the decoder is: before the magic, in the envelope's fields, in `raw`'s (the List's) fields. */
const START = 0;
const ENVELOPE = 1;
const LIST = 2;

/** Longest header: a tag and a length, each at most 10 bytes. */
const MAX_HEADER = 20;

export class ProtoListDecoder {
  readonly items: unknown[] = [];
  private state = START;
  private head: Record<string, unknown> = {};
  /** Bytes of `raw` not read yet (in LIST). */
  private listLeft = 0;
  /** An envelope without its list is not an empty list. */
  private sawList = false;
  /** Chunks (or their tails) not read yet, and how many bytes the next step needs of them. */
  private parts: Buffer[] = [];
  private partsLength = 0;
  private need = 1;

  constructor(private readonly item: PbMessage) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.partsLength + chunk.length < this.need) {
      this.parts.push(chunk);
      this.partsLength += chunk.length;
      return;
    }
    let rest = chunk;
    if (this.parts.length) {
      // Join only the bytes the waiting step needs: the rest of the chunk (up to 256 KiB) is read in place.
      const take = Math.min(chunk.length, this.need - this.partsLength);
      const head = Buffer.concat([...this.parts, chunk.subarray(0, take)]);
      rest = chunk.subarray(take);
      this.parts = [];
      this.partsLength = 0;
      const used = this.read(head);
      // A header shorter than the most it could have been: what follows it starts in head.
      if (used < head.length) rest = Buffer.concat([head.subarray(used), rest]);
    }
    const used = this.read(rest);
    if (used < rest.length) {
      this.parts = [rest.subarray(used)];
      this.partsLength = rest.length - used;
    }
  }

  /** Reads what is complete in buf; returns how many bytes were used and sets `need`. */
  private read(buf: Buffer): number {
    let at = 0;
    for (;;) {
      if (this.state === START) {
        if (buf.length - at < MAGIC.length) return this.wait(at, MAGIC.length, buf);
        if (!buf.subarray(at, at + MAGIC.length).equals(MAGIC)) throw new PbError('not a Kubernetes protobuf response');
        at += MAGIC.length;
        this.state = ENVELOPE;
        continue;
      }
      if (this.state === LIST && this.listLeft === 0) this.state = ENVELOPE;
      if (at === buf.length) return this.wait(at, 1, buf);
      const header = this.header(buf, at);
      if (header === undefined) return this.wait(at, Math.min(MAX_HEADER, buf.length - at + 1), buf);
      const [no, wire, valueAt, length] = header;
      if (this.state === ENVELOPE && no === 2 && wire === 2) {
        // `raw`: its fields (the List's) are read one by one, not waited for whole.
        this.listLeft = length;
        this.state = LIST;
        this.sawList = true;
        at = valueAt;
        continue;
      }
      const end = valueAt + length;
      if (this.state === LIST && end - at > this.listLeft) throw new PbError('a list field runs past the list');
      if (end > buf.length) return this.wait(at, end - at, buf);
      if (this.state === LIST) {
        this.listLeft -= end - at;
        if (no === 2 && wire === 2) this.items.push(decodeAt(buf, valueAt, end, this.item));
        else if (no === 1 && wire === 2) this.head.metadata = decodeAt(buf, valueAt, end, LIST_META);
      } else if (no === 1 && wire === 2) {
        Object.assign(this.head, decodeAt(buf, valueAt, end, ENVELOPE_TYPE_META));
      } else if (no === 3 && wire === 2 && length > 0) {
        throw new PbError(`the list is in content encoding ${JSON.stringify(buf.toString('utf8', valueAt, end))}`);
      }
      at = end;
    }
  }

  private wait(at: number, need: number, buf: Buffer): number {
    this.need = need;
    return Math.min(at, buf.length);
  }

  /** [field number, wire type, where the value starts, its length (0 for a varint)], or undefined when not all in. */
  private header(buf: Buffer, at: number): [number, number, number, number] | undefined {
    let tag: number;
    let length = 0;
    try {
      tag = varintAt(buf, at, buf.length);
      if ((tag & 7) === 2) length = varintAt(buf, position(), buf.length);
      else if ((tag & 7) === 0) varintAt(buf, position(), buf.length);
    } catch (e) {
      if (e instanceof PbError && buf.length - at < MAX_HEADER) return undefined;
      throw e;
    }
    if ((tag & 7) !== 2 && (tag & 7) !== 0) throw new PbError(`wire type ${tag & 7} in the list envelope`);
    return [Math.floor(tag / 8), tag & 7, position(), length];
  }

  /** The response with its items; throws when the body ended inside it. */
  end(): Record<string, unknown> & { items?: unknown[] } {
    if (!this.sawList || this.partsLength > 0 || (this.state === LIST && this.listLeft > 0)) throw new PbError('the LIST response ended early');
    return { ...this.head, items: this.items };
  }
}

