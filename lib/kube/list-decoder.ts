// Decodes a LIST response while it arrives: each element of the top-level "items" array is parsed
// on its own as soon as its last byte is in, so the body is never held whole (nor twice, as text
// and as objects) and parsing overlaps the transfer. Everything else of the response (kind,
// apiVersion, metadata) is parsed at the end with "items" left empty.

const QUOTE = 34;
const BACKSLASH = 92;

export class ListDecoder {
  readonly items: unknown[] = [];
  private head: Buffer[] = [];
  /** Bytes of an element not complete yet (from its first byte). */
  private pending: Buffer | undefined;
  private state: 'head' | 'items' | 'tail' = 'head';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Between items: 0 after '[' (an item or ']'), 1 after an item (',' or ']'), 2 after ',' (an item). */
  private between = 0;

  /** `onItem` may change an item before it is kept (e.g. drop what nobody reads). */
  constructor(private readonly onItem?: (item: Record<string, unknown>) => void) {}

  push(chunk: Buffer): void {
    let b = chunk;
    let i = 0;
    let start = -1; // of the element being read, in b
    if (this.pending) {
      b = Buffer.concat([this.pending, chunk]);
      i = this.pending.length;
      start = 0;
      this.pending = undefined;
    }
    let segment = 0; // start of the head/tail bytes of this chunk
    let { depth, inString, escaped, state, between } = this;
    const n = b.length;
    for (; i < n; i++) {
      const c = b[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
        continue;
      }
      if (c === QUOTE) inString = true;
      else if (c === 123 || c === 91) {
        depth++;
        if (state === 'items') {
          if (depth === 3 && start < 0) {
            if (between === 1) throw new SyntaxError('a LIST response with items not separated by ","');
            start = i;
          }
        } else if (state === 'head' && c === 91 && depth === 2) {
          // The only array at the top of a List is "items".
          this.head.push(Buffer.from(b.subarray(segment, i + 1)));
          state = 'items';
        }
      } else if (c === 125 || c === 93) {
        depth--;
        if (state === 'items') {
          if (depth === 2 && start >= 0) {
            this.emit(b, start, i + 1);
            start = -1;
            between = 1;
          } else if (depth === 1) {
            if (between === 2 || c !== 93) throw new SyntaxError('a LIST response with a malformed items array');
            state = 'tail';
            segment = i;
          }
        }
      } else if (state === 'items' && depth === 2 && start < 0 && c !== 32 && c !== 10 && c !== 13 && c !== 9) {
        if (c !== 44 || between !== 1) throw new SyntaxError('a LIST response with an item that is not an object');
        between = 2;
      }
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    this.state = state;
    this.between = between;
    if (state === 'items') {
      if (start >= 0) this.pending = b.subarray(start);
    } else this.head.push(Buffer.from(b.subarray(segment)));
  }

  private emit(b: Buffer, from: number, to: number): void {
    const item = JSON.parse(b.toString('utf8', from, to)) as Record<string, unknown>;
    this.onItem?.(item);
    this.items.push(item);
  }

  /** The response with its items; throws when the body ended inside the list. */
  end(): Record<string, unknown> & { items?: unknown[] } {
    if (this.state === 'items' || this.depth !== 0) throw new SyntaxError('the LIST response ended early');
    const text = Buffer.concat(this.head).toString('utf8');
    if (text.trim() === '') return {};
    const head = JSON.parse(text) as Record<string, unknown> & { items?: unknown[] };
    if (this.state === 'tail') head.items = this.items;
    return head;
  }
}
