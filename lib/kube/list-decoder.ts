// Decodes a LIST response while it arrives: each element of the top-level "items" array is parsed
// on its own as soon as its last byte is in, so the body is never held whole (nor twice, as text
// and as objects) and parsing overlaps the transfer. Everything else of the response (kind,
// apiVersion, metadata) is parsed at the end with "items" left empty.
//
// Where the CPU goes (a 500-cluster fleet is ~94 MB of JSON): JSON.parse of the items, then
// finding where each item ends. The scan below only tracks what that needs (the nesting depth,
// strings and their escapes) in one tight loop of locals. An item cut by chunk boundaries (most
// are: the apiserver's chunks are ~2 KiB) is copied once into one reused buffer, not joined again
// at each chunk, and no chunk is held (a chunk can pin the socket's whole 64 KiB read buffer). With dropManagedFieldsV1,
// the value of metadata.managedFields[].fieldsV1 (a third of the bytes, thousands of tiny
// objects) is replaced by 0 in the text given to JSON.parse, and the key deleted after: the
// object is the same as parsing it all and deleting fieldsV1, without parsing what is thrown away.

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const COMMA = 44;

const HEAD = 0;
const ITEMS = 1;
const TAIL = 2;

/** Key names matched as raw bytes (a key written with escapes is left to the hook after parsing). */
const METADATA = Buffer.from('metadata');
const MANAGED_FIELDS = Buffer.from('managedFields');
const FIELDS_V1 = Buffer.from('fieldsV1');

/** managedFields[].fieldsV1 is most of an object's bytes and nothing here reads it; the entries (manager, time, ...) stay. */
export function dropManagedFieldsV1(item: Record<string, unknown>): void {
  const mf = (item.metadata as { managedFields?: unknown } | undefined)?.managedFields;
  if (!Array.isArray(mf)) return;
  for (const f of mf) if (f && typeof f === 'object' && 'fieldsV1' in f) delete (f as { fieldsV1?: unknown }).fieldsV1;
}

export interface ListDecoderOptions {
  /** As dropManagedFieldsV1 on each item, and fieldsV1's value is not parsed at all. */
  dropManagedFieldsV1?: boolean;
}

export class ListDecoder {
  readonly items: unknown[] = [];
  private readonly prune: boolean;
  private state = HEAD;
  /** The bytes before the items array (and through its '['), then those after it (from its ']'). */
  private head: Buffer[] = [];
  /** Stream offset of the next chunk's first byte. */
  private offset = 0;
  // Head: a byte loop (a few hundred bytes).
  private headDepth = 0;
  private headInString = false;
  private headEscaped = false;
  // Items.
  /** Between items: 0 after '[' (an item or ']'), 1 after an item (',' or ']'), 2 after ',' (an item). */
  private between = 0;
  /** Depth inside the item being read (1 = in its top object), 0 between items. */
  private depth = 0;
  private inString = false;
  /** The first byte of the next chunk is escaped (the chunk ended on a backslash in a string). */
  private escaped = false;
  /** Earlier chunks' bytes of the item being read (from its '{'): acc[0, accLength). */
  private acc = Buffer.alloc(0);
  private accLength = 0;
  private itemStart = 0;
  /** Stream offset of the opening quote of the string being read. */
  private stringStart = 0;
  // Where in metadata.managedFields[].fieldsV1 the scan is: 1 in metadata, 2 in managedFields,
  // 3 in one of its entries (an object), 4 in the value of its fieldsV1.
  private path = 0;
  /** The last key that closed at a depth that matters: 1 metadata, 2 managedFields, 3 fieldsV1. */
  private lastKey = 0;
  private cutStart = 0;
  /** Stream offsets [from, to) of fieldsV1 values of the item being read. */
  private cuts: number[] = [];

  constructor(options: ListDecoderOptions = {}) {
    this.prune = options.dropManagedFieldsV1 === true;
  }

  push(chunk: Buffer): void {
    let i = 0;
    if (this.state === HEAD) {
      i = this.scanHead(chunk);
      if (i < 0) {
        this.head.push(Buffer.from(chunk));
        this.offset += chunk.length;
        return;
      }
    }
    if (this.state === ITEMS) i = this.scanItems(chunk, i);
    if (this.state === TAIL) this.head.push(Buffer.from(chunk.subarray(i)));
    this.offset += chunk.length;
  }

  /** The position after the items array's '[', or -1 when it is not in this chunk. */
  private scanHead(b: Buffer): number {
    let { headDepth: depth, headInString: inString, headEscaped: escaped } = this;
    const n = b.length;
    let i = 0;
    for (; i < n; i++) {
      const c = b[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
      } else if (c === QUOTE) inString = true;
      else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        depth++;
        // The only array at the top of a List is "items".
        if (c === OPEN_ARRAY && depth === 2) {
          this.head.push(Buffer.from(b.subarray(0, i + 1)));
          this.state = ITEMS;
          break;
        }
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
    }
    this.headDepth = depth;
    this.headInString = inString;
    this.headEscaped = escaped;
    return i < n ? i + 1 : -1;
  }

  /** Reads items from i; returns where the tail starts when the array ended in this chunk. */
  private scanItems(b: Buffer, i: number): number {
    const n = b.length;
    let from = this.depth > 0 ? 0 : -1; // where the item being read starts in b (0: maybe in an earlier chunk)
    while (i < n) {
      if (this.depth > 0) {
        i = this.scanItem(b, i);
        if (this.depth === 0) {
          this.emit(b, from, i);
          from = -1;
          this.between = 1;
        }
        continue;
      }
      const c = b[i];
      if (c === OPEN_OBJECT) {
        if (this.between === 1) throw new SyntaxError('a LIST response with items not separated by ","');
        from = i;
        this.itemStart = this.offset + i;
        this.cuts.length = 0;
        this.depth = 1;
        this.path = 0;
        this.lastKey = 0;
        i++;
      } else if (c === COMMA && this.between === 1) {
        this.between = 2;
        i++;
      } else if (c === CLOSE_ARRAY && this.between !== 2) {
        this.state = TAIL;
        break;
      } else if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else if (c === COMMA || c === CLOSE_ARRAY) throw new SyntaxError('a LIST response with a malformed items array');
      else throw new SyntaxError('a LIST response with an item that is not an object');
    }
    if (this.depth > 0) this.keep(b, from, n);
    return i;
  }

  /**
   * The hot loop: from b[i] inside an item to just after its closing brace, or to the end of b.
   * Nothing in it depends on what the items hold (emit is called by scanItems), so V8 keeps
   * one optimised version of it whatever the kinds of the lists.
   */
  private scanItem(b: Buffer, i: number): number {
    const n = b.length;
    const base = this.offset;
    const prune = this.prune;
    let { depth, inString, path, lastKey } = this;
    i += inString && this.escaped ? 1 : 0; // always run: a `++` seen for the first time late would cost a deoptimisation
    scan: for (;;) {
      if (inString) {
        // To the closing quote; a backslash escapes the byte after it (none of the bytes looked
        // at can be inside a multi-byte UTF-8 character).
        while (i < n) {
          const c = b[i];
          if (c === QUOTE) break;
          i += c === BACKSLASH ? 2 : 1;
        }
        if (i >= n) break;
        inString = false;
        if (prune && depth <= 4 && path === depth - 1) lastKey = this.keyAt(b, base, i, depth);
        i++;
      }
      for (; i < n; i++) {
        const c = b[i];
        if (c === QUOTE) {
          inString = true;
          this.stringStart = base + i;
          i++;
          continue scan;
        }
        if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
          depth++;
          if (prune && depth <= 5 && path === depth - 2) {
            // Each level holds only under the one before it: metadata {, managedFields [, an entry {, fieldsV1's {.
            if (depth === 2 ? c === OPEN_OBJECT && lastKey === 1 : depth === 3 ? c === OPEN_ARRAY && lastKey === 2 : depth === 4 ? c === OPEN_OBJECT : c === OPEN_OBJECT && lastKey === 3) {
              path = depth - 1;
              if (depth === 5) this.cutStart = base + i;
            }
            lastKey = 0;
          }
        } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
          if (path > 0 && path === depth - 1) {
            path--;
            if (depth === 5) this.cuts.push(this.cutStart, base + i + 1);
          }
          if (--depth === 0) {
            i++;
            break scan;
          }
        }
      }
      break;
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = inString && i > n;
    this.path = path;
    this.lastKey = lastKey;
    return i > n ? n : i;
  }

  /** Which key (of those on the way to fieldsV1) the string closed at b[q] is, at this depth. */
  private keyAt(b: Buffer, base: number, q: number, depth: number): number {
    const want = depth === 1 ? METADATA : depth === 2 ? MANAGED_FIELDS : depth === 4 ? FIELDS_V1 : undefined;
    const start = this.stringStart + 1 - base; // may be < 0: the key began in an earlier chunk
    if (!want || q - start !== want.length) return 0;
    const bytes = start >= 0 ? b : Buffer.concat([this.acc.subarray(0, this.accLength), b.subarray(0, q)]);
    const from = start >= 0 ? start : bytes.length - want.length;
    // A loop, not Buffer#compare: a call into C++ costs more than comparing 8 or 13 bytes.
    for (let k = 0; k < want.length; k++) if (bytes[from + k] !== want[k]) return 0;
    return depth === 4 ? 3 : depth;
  }

  /** Appends b[from, to) to the bytes of the item being read. */
  private keep(b: Buffer, from: number, to: number): void {
    const length = this.accLength + to - from;
    if (length > this.acc.length) {
      const grown = Buffer.allocUnsafe(Math.max(length, 2 * this.acc.length, 1 << 16));
      this.acc.copy(grown, 0, 0, this.accLength);
      this.acc = grown;
    }
    b.copy(this.acc, this.accLength, from, to);
    this.accLength = length;
  }

  /** Parses the item that ends at b[to - 1] (and began at b[from], or in acc when acc holds bytes). */
  private emit(b: Buffer, from: number, to: number): void {
    let bytes = b;
    let at = from; // index in bytes of the stream offset itemStart
    if (this.accLength > 0) {
      this.keep(b, 0, to);
      bytes = this.acc;
      to = this.accLength;
      at = 0;
      this.accLength = 0;
    }
    let text: string;
    const cuts = this.cuts;
    if (cuts.length === 0) text = bytes.toString('utf8', at, to);
    else {
      const shift = at - this.itemStart;
      text = bytes.toString('utf8', at, cuts[0] + shift);
      for (let k = 0; k < cuts.length; k += 2) text += '0' + bytes.toString('utf8', cuts[k + 1] + shift, k + 2 < cuts.length ? cuts[k + 2] + shift : to);
    }
    const item = JSON.parse(text) as Record<string, unknown>;
    if (this.prune) dropManagedFieldsV1(item);
    this.items.push(item);
  }

  /** The response with its items; throws when the body ended inside the list. */
  end(): Record<string, unknown> & { items?: unknown[] } {
    if (this.state === ITEMS || (this.state === HEAD && this.headDepth !== 0)) throw new SyntaxError('the LIST response ended early');
    const text = Buffer.concat(this.head).toString('utf8');
    if (text.trim() === '') return {};
    const head = JSON.parse(text) as Record<string, unknown> & { items?: unknown[] };
    if (this.state === TAIL) head.items = this.items;
    return head;
  }
}
