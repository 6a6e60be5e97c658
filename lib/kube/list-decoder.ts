// Decodes a LIST response while it arrives: each element of the top-level "items" array is parsed
// on its own as soon as its last byte is in, so the body is never held whole (nor twice, as text
// and as objects) and parsing overlaps the transfer. Everything else of the response (kind,
// apiVersion, metadata) is parsed at the end with "items" left empty.
//
// Where the CPU goes (a 500-cluster fleet is ~94 MB of JSON): JSON.parse of the items, then
// finding where each item ends. The scan below only tracks what that needs (the nesting depth,
// strings and their escapes) in one tight loop of locals. An item cut by chunk boundaries (most
// are: the apiserver's chunks are ~2 KiB) is copied once into one reused buffer, not joined again
// at each chunk, and no chunk is held (a chunk can pin the socket's whole 64 KiB read buffer).
// With a projection (projection.ts), each object or array value of a key it drops (managedFields'
// fieldsV1: a third of every object's bytes, thousands of tiny objects; most of a pod's spec) is
// replaced by 0 in the text given to JSON.parse, and project() runs after: the item is the same as
// parsing it all and projecting, without parsing what is thrown away.

import { compileProjection, DROP, project, type CompiledProjection, type Decision, type Projection } from './projection.ts';

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

export interface ListDecoderOptions {
  /** Each item as project(item, projection), and what it drops not parsed at all. */
  projection?: Projection;
}

export class ListDecoder {
  readonly items: unknown[] = [];
  private readonly root: CompiledProjection | null;
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
  // The projection as the scan goes: the rule of the object or array open at each depth (null:
  // none), whether it is an array, and what the last key read at a ruled depth decided for its value.
  private rules: Array<CompiledProjection | null> = [];
  private arrays: boolean[] = [];
  private pending: Decision = null;
  /** Depth of the value being cut (0: none), and its stream offset. */
  private cutDepth = 0;
  private cutStart = 0;
  /** Stream offsets [from, to) of the values cut from the item being read. */
  private cuts: number[] = [];

  constructor(options: ListDecoderOptions = {}) {
    this.root = options.projection ? compileProjection(options.projection) : null;
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
        this.rules[1] = this.root;
        this.arrays[1] = false;
        this.pending = null;
        this.cutDepth = 0;
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
    const ruled = this.root !== null;
    const { rules, arrays } = this;
    let { depth, inString, cutDepth } = this;
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
        // Every string closed in a ruled object decides: a value's decision is replaced by the
        // next key's before anything opens, so only a key's reaches the '{' or '[' after its ':'.
        if (ruled && cutDepth === 0 && rules[depth] !== null && !arrays[depth]) this.pending = this.decide(b, base, i, rules[depth]!);
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
          if (ruled && cutDepth === 0) {
            const parent = rules[depth - 1];
            let rule: CompiledProjection | null = null;
            if (parent !== null) {
              if (arrays[depth - 1]) rule = parent.each;
              else if (this.pending === DROP) {
                cutDepth = depth;
                this.cutStart = base + i;
              } else rule = this.pending;
            }
            rules[depth] = rule;
            arrays[depth] = c === OPEN_ARRAY;
            this.pending = null;
          }
        } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
          if (cutDepth === depth) {
            cutDepth = 0;
            this.cuts.push(this.cutStart, base + i + 1);
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
    this.cutDepth = cutDepth;
    return i > n ? n : i;
  }

  /** What the rule says of the key (or value) string closed at b[q]; a key written with escapes is left to project(). */
  private decide(b: Buffer, base: number, q: number, rule: CompiledProjection): Decision {
    const start = this.stringStart + 1 - base; // may be < 0: the key began in an earlier chunk
    const bytes = start >= 0 ? b : Buffer.concat([this.acc.subarray(0, this.accLength), b.subarray(0, q)]);
    const from = start >= 0 ? start : bytes.length - (q - start);
    const length = q - start;
    const { names, decisions } = rule;
    // A loop, not Buffer#compare: a call into C++ costs more than comparing a dozen bytes.
    next: for (let k = 0; k < names.length; k++) {
      const name = names[k];
      if (name.length !== length) continue;
      for (let j = 0; j < length; j++) if (bytes[from + j] !== name[j]) continue next;
      return decisions[k];
    }
    if (rule.otherwise === null) return null;
    for (let j = 0; j < length; j++) if (bytes[from + j] === BACKSLASH) return null;
    return rule.otherwise;
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
    const item = JSON.parse(text) as unknown;
    this.items.push(this.root ? project(item, this.root) : item);
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
