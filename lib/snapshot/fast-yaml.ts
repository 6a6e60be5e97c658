// A fast reader for the YAML that kubectl (and js-yaml's dump) write: block mappings and
// sequences, plain, quoted and literal scalars, `{}` / `[]`, comments, `---`. It works line by
// line on bytes read in chunks, so a large dump is never held whole, and every string it makes is
// a fresh copy (no slice keeps a chunk alive). Anything outside that subset (anchors, tags, flow
// collections, folded scalars, explicit indentation, tabs, odd indentation, bad input) throws
// Unsupported: the caller then reads the input with js-yaml, which stays the reference for both
// the result and the error messages.
import { closeSync, openSync, readSync } from 'node:fs';
import * as jsyaml from 'js-yaml';

export class Unsupported extends Error {}

const unsupported = (why: string): never => {
  throw new Unsupported(why);
};

/** Fills buf from offset with more input; returns the number of bytes, 0 at the end. */
export type ByteSource = (buf: Buffer, offset: number) => number;

const SP = 32;
const NL = 10;
const CR = 13;
const HASH = 35;
const DASH = 45;
const DOT = 46;
const COLON = 58;
const TAB = 9;
const SQUOTE = 39;
const DQUOTE = 34;
const PIPE = 124;
const BACKSLASH = 92;

type Buf = Buffer & { utf8Slice(start: number, end: number): string };

/** The current line of an input read in chunks; offsets are only good until the next advance(). */
class Lines {
  buf: Buf;
  private len = 0;
  private done = false;
  start = 0; // of the current line
  end = 0; // exclusive, without \r\n
  next = 0; // start of the following line
  indent = 0;
  blank = true; // only spaces
  comment = false; // first non-space is '#'
  eof = false;
  /** Counts loaded lines: tells two visits of the same line apart from a new one. */
  serial = 0;

  constructor(private readonly source: ByteSource, size: number) {
    this.buf = Buffer.allocUnsafe(size) as Buf;
    this.fill();
    let from = 0;
    if (this.len >= 3 && this.buf[0] === 0xef && this.buf[1] === 0xbb && this.buf[2] === 0xbf) from = 3;
    this.load(from);
  }

  private fill(): boolean {
    if (this.done) return false;
    if (this.len === this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2) as Buf;
      this.buf.copy(bigger, 0, 0, this.len);
      this.buf = bigger;
    }
    const n = this.source(this.buf, this.len);
    if (n === 0) this.done = true;
    this.len += n;
    return n > 0;
  }

  advance(): void {
    this.load(this.next);
  }

  private newline(from: number): number {
    const i = this.buf.indexOf(NL, from);
    return i >= 0 && i < this.len ? i : -1;
  }

  private load(from: number): void {
    this.serial++;
    let nl = this.newline(from);
    while (nl < 0 && !this.done) {
      // Keep the partial line, drop what was read before it.
      if (from > 0) {
        this.buf.copy(this.buf, 0, from, this.len);
        this.len -= from;
        from = 0;
      }
      const scanned = this.len;
      if (!this.fill()) break;
      nl = this.newline(scanned);
    }
    if (from >= this.len) {
      this.eof = true;
      this.start = this.end = this.next = this.len;
      this.blank = true;
      this.comment = false;
      this.indent = 0;
      return;
    }
    const b = this.buf;
    this.start = from;
    this.next = nl < 0 ? this.len : nl + 1;
    let end = nl < 0 ? this.len : nl;
    if (end > from && b[end - 1] === CR) end--;
    this.end = end;
    let i = from;
    while (i < end && b[i] === SP) i++;
    this.indent = i - from;
    this.blank = i === end;
    this.comment = !this.blank && b[i] === HASH;
  }

  /** Byte at column col of the current line, -1 past its end. */
  at(col: number): number {
    const i = this.start + col;
    return i < this.end ? this.buf[i] : -1;
  }

  /** Text of the current line from column a to column b (default: its end). */
  text(a: number, b?: number): string {
    return this.buf.utf8Slice(this.start + a, b === undefined ? this.end : this.start + b);
  }

  get width(): number {
    return this.end - this.start;
  }

  skipEmpty(): void {
    while (!this.eof && (this.blank || this.comment)) this.advance();
  }

  /** `---` or `...` at column 0, alone or before a comment. */
  isMarker(): boolean {
    if (this.eof || this.indent !== 0) return false;
    const c = this.at(0);
    if ((c !== DASH && c !== DOT) || this.at(1) !== c || this.at(2) !== c) return false;
    const after = this.at(3);
    if (after === -1) return true;
    if (after !== SP && after !== TAB) return false;
    const rest = this.text(3).trim();
    return rest === '' || rest.startsWith('#') ? true : unsupported('content after a document marker');
  }

  /** "- " or a lone "-" at column col. */
  isDash(col: number): boolean {
    if (this.at(col) !== DASH) return false;
    const c = this.at(col + 1);
    return c === -1 || c === SP;
  }

  /** Column of the ':' ending a plain key that starts at col, or -1. */
  plainKeyEnd(col: number): number {
    const b = this.buf;
    const end = this.end;
    for (let i = this.start + col; i < end; i++) {
      const c = b[i];
      if (c === COLON) {
        if (i + 1 === end || b[i + 1] === SP) return i - this.start;
      } else if (c === HASH && i > this.start && b[i - 1] === SP) return -1; // a comment
    }
    return -1;
  }
}

interface YamlType {
  resolve(s: string): boolean;
  construct(s: string): unknown;
}
// js-yaml exports its types (its typings omit them): its resolvers decide what a plain scalar is.
const TYPES = (jsyaml as unknown as { types: Record<'int' | 'float' | 'timestamp', YamlType> }).types;
const NUMERIC = [TYPES.int, TYPES.float, TYPES.timestamp];
const WORDS: Record<string, null | boolean> = {
  null: null, Null: null, NULL: null, '~': null,
  true: true, True: true, TRUE: true, false: false, False: false, FALSE: false,
};

/** A plain scalar typed as js-yaml's default schema types it (YAML 1.2 core + timestamp). */
function plainValue(s: string): unknown {
  const c = s.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 43 || c === DASH || c === DOT) {
    for (const t of NUMERIC) {
      if (!t.resolve(s)) continue;
      const v = t.construct(s);
      return typeof v === 'number' ? v : unsupported(`plain scalar ${s}`);
    }
  } else if (s.length <= 5 && Object.hasOwn(WORDS, s)) return WORDS[s];
  return s;
}

/** The first character of a plain scalar (or key) may not start other YAML syntax. */
function plainStartOk(c: number, next: number): boolean {
  switch (c) {
    case 33: case 38: case 42: case PIPE: case 62: case SQUOTE: case DQUOTE: case 37: case 64: case 96:
    case 123: case 125: case 91: case 93: case HASH: case 44: case COLON:
      return false;
    case 63: case DASH:
      return !(next === -1 || next === SP);
    default:
      return true;
  }
}

/** Reads YAML documents of kubectl's subset. */
export class FastYaml {
  private readonly L: Lines;

  constructor(source: ByteSource, chunkSize = 1 << 20) {
    this.L = new Lines(source, chunkSize);
  }

  /** Calls onDocument for every non-empty document (empty ones are skipped, as the caller does). */
  read(onDocument: (doc: unknown) => void): void {
    const L = this.L;
    for (;;) {
      L.skipEmpty();
      if (L.eof) return;
      if (L.isMarker()) {
        L.advance();
        continue;
      }
      if (L.indent !== 0) unsupported('indented document');
      if (L.at(0) === 37) unsupported('directive');
      if (L.isDash(0)) onDocument(this.seq(0));
      else if (this.keyAt(0)) onDocument(this.map(0));
      else unsupported('a document that is not a mapping');
    }
  }

  private endOfBlock(indent: number): boolean {
    const L = this.L;
    L.skipEmpty();
    return L.eof || L.indent < indent || L.isMarker();
  }

  private seq(si: number): unknown[] {
    const L = this.L;
    const out: unknown[] = [];
    for (;;) {
      out.push(this.seqItem(si));
      if (this.endOfBlock(si) || (L.indent === si && !L.isDash(si))) return out;
      if (L.indent > si) unsupported('bad indentation in sequence');
    }
  }

  /** One "- ..." entry starting at column si of the current line. */
  private seqItem(si: number): unknown {
    const L = this.L;
    let c = si + 1;
    while (L.at(c) === SP) c++;
    const ch = L.at(c);
    if (ch === -1 || (ch === HASH && c > si + 1)) {
      L.advance();
      return this.below(si, false);
    }
    if (ch === TAB) unsupported('tab');
    if (L.isDash(c)) unsupported('compact nested sequence');
    if (this.keyAt(c)) return this.map(c);
    return this.scalar(c, si);
  }

  /** The node under a "key:" or "-" with nothing after it: deeper, a sequence at the key's column, or null. */
  private below(parent: number, seqAtSameIndent: boolean): unknown {
    const L = this.L;
    L.skipEmpty();
    if (L.eof || L.isMarker()) return null;
    const i = L.indent;
    if (i > parent) {
      if (L.isDash(i)) return this.seq(i);
      if (this.keyAt(i)) return this.map(i);
      return this.scalar(i, parent);
    }
    if (seqAtSameIndent && i === parent && L.isDash(i)) return this.seq(i);
    return null;
  }

  /** A block mapping whose first key is on the current line at column mi. */
  private map(mi: number): Record<string, unknown> {
    const L = this.L;
    const out: Record<string, unknown> = {};
    for (;;) {
      if (!this.keyAt(mi)) return unsupported('not a mapping entry');
      const key = this.key;
      if (Object.hasOwn(out, key)) unsupported('duplicated key');
      let c = this.valueCol;
      while (L.at(c) === SP) c++;
      const ch = L.at(c);
      if (ch === -1 || ch === HASH) {
        L.advance();
        out[key] = this.below(mi, true);
      } else out[key] = this.scalar(c, mi);
      if (this.endOfBlock(mi)) return out;
      if (L.indent > mi || L.isDash(mi)) unsupported('bad indentation in mapping');
    }
  }

  // keyAt's answer: the key and the column after its ':'; remembered for the line it was asked for.
  private key = '';
  private valueCol = 0;
  private keySerial = -1;
  private keyCol = -1;
  private keyFound = false;
  /** Plain keys repeat endlessly (name, namespace, ...): one string each, found by a hash of the bytes. */
  private readonly keyCache: (string | undefined)[] = new Array(4096);

  /** Is there a "key:" at column col of the current line? Sets key and valueCol when there is. */
  private keyAt(col: number): boolean {
    const L = this.L;
    if (this.keySerial === L.serial && this.keyCol === col) return this.keyFound;
    this.keySerial = L.serial;
    this.keyCol = col;
    this.keyFound = this.findKey(col);
    return this.keyFound;
  }

  private findKey(col: number): boolean {
    const L = this.L;
    const ch = L.at(col);
    if (ch === SQUOTE || ch === DQUOTE) {
      const close = ch === SQUOTE ? singleClose(L, col + 1) : doubleClose(L, col + 1);
      if (close < 0) return false;
      let j = close + 1;
      while (L.at(j) === SP) j++;
      if (L.at(j) !== COLON) return false;
      const after = L.at(j + 1);
      if (after !== -1 && after !== SP) return false;
      const raw = L.text(col + 1, close);
      this.key = ch === SQUOTE ? raw.replaceAll("''", "'") : unescapeDouble(raw);
      this.valueCol = j + 1;
      return true;
    }
    const colon = L.plainKeyEnd(col);
    if (colon < 0) return false;
    if (!plainStartOk(ch, L.at(col + 1))) return unsupported('complex key');
    let e = colon;
    while (e > col && L.at(e - 1) === SP) e--;
    this.valueCol = colon + 1;
    // Cached when ASCII and not a word or number js-yaml would type.
    const b = L.buf;
    const from = L.start + col;
    const to = L.start + e;
    let h = 0;
    let ascii = true;
    for (let i = from; i < to; i++) {
      const x = b[i];
      if (x >= 0x80) ascii = false;
      h = (Math.imul(h, 31) + x) | 0;
    }
    const slot = h & 4095;
    const cached = this.keyCache[slot];
    if (ascii && cached !== undefined && cached.length === to - from) {
      let same = true;
      for (let i = 0; i < cached.length; i++) {
        if (cached.charCodeAt(i) !== b[from + i]) {
          same = false;
          break;
        }
      }
      if (same) {
        this.key = cached;
        return true;
      }
    }
    const text = b.utf8Slice(from, to);
    if (text === '<<' || text === '__proto__' || text.includes('\t')) unsupported('special key');
    const v = plainValue(text);
    if (typeof v === 'string') {
      this.key = v;
      if (ascii) this.keyCache[slot] = v;
    } else this.key = String(v);
    return true;
  }

  /** A scalar starting at column c of the current line; continuation lines are indented more than parent. */
  private scalar(c: number, parent: number): unknown {
    const L = this.L;
    const ch = L.at(c);
    if (ch === PIPE) return this.literal(c + 1, parent);
    if (ch === SQUOTE || ch === DQUOTE) return this.quoted(c, ch === SQUOTE, parent);
    if (ch === 123 || ch === 91) {
      const v = L.text(c).replace(/\s+#.*$/, '').trimEnd();
      if (v !== '{}' && v !== '[]') unsupported('flow collection');
      L.advance();
      return v === '{}' ? {} : [];
    }
    if (!plainStartOk(ch, L.at(c + 1))) unsupported('indicator');
    let text = this.plainLine(c);
    L.advance();
    // Multi-line plain scalar: deeper lines fold into it (a line break is a space, empty lines newlines).
    let breaks = 0;
    let folded = false;
    while (!L.eof) {
      if (L.blank) {
        breaks++;
        L.advance();
        continue;
      }
      if (L.comment || L.indent <= parent || L.isMarker()) break;
      const more = this.plainLine(L.indent);
      if (L.isDash(L.indent)) unsupported('ambiguous continuation');
      text += breaks ? '\n'.repeat(breaks) : ' ';
      text += more;
      breaks = 0;
      folded = true;
      L.advance();
    }
    return folded ? text : plainValue(text);
  }

  /** The plain text on the current line from column c (no comment, no trailing space). */
  private plainLine(c: number): string {
    const L = this.L;
    const b = L.buf;
    const end = L.end;
    let e = end;
    for (let i = L.start + c; i < end; i++) {
      const x = b[i];
      if (x === COLON && (i + 1 === end || b[i + 1] === SP)) unsupported('": " in a plain scalar');
      else if (x === HASH && b[i - 1] === SP) {
        e = i;
        break;
      } else if (x === TAB) unsupported('tab in a plain scalar');
    }
    while (e > L.start + c && b[e - 1] === SP) e--;
    return b.utf8Slice(L.start + c, e);
  }

  private quoted(c: number, single: boolean, parent: number): string {
    const L = this.L;
    const close = single ? singleClose(L, c + 1) : doubleClose(L, c + 1);
    if (close >= 0) {
      afterQuote(L, close + 1);
      const raw = L.text(c + 1, close);
      L.advance();
      return single ? (raw.includes("'") ? raw.replaceAll("''", "'") : raw) : unescapeDouble(raw);
    }
    // Over several lines: gather the raw text up to the closing quote, then fold as YAML does.
    const lines = [L.text(c + 1)];
    L.advance();
    for (;;) {
      if (L.eof) unsupported('unterminated quoted scalar');
      if (!L.blank && L.indent <= parent) unsupported('bad indentation of a quoted scalar');
      const close2 = single ? singleClose(L, L.indent) : doubleClose(L, L.indent);
      if (close2 >= 0) {
        afterQuote(L, close2 + 1);
        lines.push(L.text(L.indent, close2));
        L.advance();
        return foldQuoted(lines, single);
      }
      lines.push(L.blank ? '' : L.text(L.indent));
      L.advance();
    }
  }

  /** A literal block scalar ("|", "|-", "|+"); the header's indicators start at column h. */
  private literal(h: number, parent: number): string {
    const L = this.L;
    const header = L.text(h).replace(/\s+#.*$/, '').trimEnd();
    let chomp: 'clip' | 'strip' | 'keep' = 'clip';
    if (header === '-') chomp = 'strip';
    else if (header === '+') chomp = 'keep';
    else if (header !== '') unsupported('block scalar indicator');
    L.advance();
    const content: string[] = [];
    let indent = -1;
    let empties = 0;
    let lead = 0;
    while (!L.eof) {
      if (indent < 0) {
        if (L.blank) {
          lead = Math.max(lead, L.width);
          empties++;
          L.advance();
          continue;
        }
        if (L.indent <= parent) break;
        indent = L.indent;
        // A leading empty line longer than the content's indentation is an error in YAML.
        if (lead > indent) unsupported('leading blank line longer than the indentation');
      } else if (!L.blank && L.indent < indent) break;
      if (L.blank && L.width <= indent) empties++;
      else {
        for (; empties > 0; empties--) content.push('');
        content.push(L.text(indent));
      }
      L.advance();
    }
    if (content.length === 0) return chomp === 'keep' ? '\n'.repeat(empties) : '';
    const value = content.join('\n');
    if (chomp === 'strip') return value;
    return chomp === 'clip' ? `${value}\n` : `${value}\n${'\n'.repeat(empties)}`;
  }
}

/** Only a comment may follow a closing quote. */
function afterQuote(L: Lines, col: number): void {
  let j = col;
  while (L.at(j) === SP) j++;
  const c = L.at(j);
  if (c !== -1 && !(c === HASH && j > col)) unsupported('text after a quoted scalar');
}

/** Column of the closing ' on the current line from col ('' is an escaped quote), or -1. */
function singleClose(L: Lines, col: number): number {
  for (let i = col; i < L.width; i++) {
    if (L.at(i) !== SQUOTE) continue;
    if (L.at(i + 1) === SQUOTE) i++;
    else return i;
  }
  return -1;
}

function doubleClose(L: Lines, col: number): number {
  for (let i = col; i < L.width; i++) {
    const c = L.at(i);
    if (c === BACKSLASH) i++;
    else if (c === DQUOTE) return i;
  }
  return -1;
}

const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
};

function unescapeDouble(s: string): string {
  let i = s.indexOf('\\');
  if (i < 0) return s;
  let out = s.slice(0, i);
  for (;;) {
    const e = s[i + 1];
    if (e === undefined) unsupported('trailing backslash');
    const hex = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hex) {
      const digits = s.slice(i + 2, i + 2 + hex);
      if (digits.length !== hex || !/^[0-9a-fA-F]+$/.test(digits)) unsupported('bad escape');
      out += String.fromCodePoint(parseInt(digits, 16));
      i += 2 + hex;
    } else {
      const v = Object.hasOwn(ESCAPES, e) ? ESCAPES[e] : unsupported('unknown escape');
      out += v;
      i += 2;
    }
    const j = s.indexOf('\\', i);
    if (j < 0) return out + s.slice(i);
    out += s.slice(i, j);
    i = j;
  }
}

/**
 * Folds a quoted scalar written over several lines (the first from after the opening quote, the
 * last up to the closing one, inner ones without their indentation): a line break is a space,
 * each empty line a newline; in double quotes a line ending in an odd number of "\" joins without one.
 */
function foldQuoted(lines: string[], single: boolean): string {
  let out = '';
  let breaks = 0;
  let joinNext = false;
  for (let i = 0; i < lines.length; i++) {
    const last = i === lines.length - 1;
    let l = i === 0 ? lines[i] : lines[i].replace(/^[ \t]+/, '');
    if (i > 0 && !last && l.trim() === '') {
      breaks++;
      continue;
    }
    if (i > 0) {
      if (joinNext) out += '\n'.repeat(breaks);
      else out += breaks ? '\n'.repeat(breaks) : ' ';
      breaks = 0;
    }
    joinNext = false;
    if (!last) {
      // js-yaml keeps the spaces before a folded break (YAML would drop them): so do we.
      if (!single && /(^|[^\\])(\\\\)*\\$/.test(l)) {
        l = l.slice(0, -1);
        joinNext = true;
      }
    }
    out += single ? l.replaceAll("''", "'") : unescapeDouble(l);
  }
  return out;
}

/** A file read in chunks; close() when done. */
export function fileSource(path: string): { source: ByteSource; close: () => void } {
  const fd = openSync(path, 'r');
  return {
    source: (buf, offset) => readSync(fd, buf, offset, buf.length - offset, null),
    close: () => closeSync(fd),
  };
}

/** Text already in memory. */
export function textSource(text: string): ByteSource {
  const bytes = Buffer.from(text, 'utf8');
  let at = 0;
  return (buf, offset) => {
    const n = bytes.copy(buf, offset, at);
    at += n;
    return n;
  };
}
