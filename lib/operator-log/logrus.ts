// PGO's log lines: logrus' text format, one entry per line, e.g.
//   time="2026-12-01T13:07:17Z" level=error msg="Reconciler error" PostgresCluster=db/hippo error="..." func="..."
// A value is bare when it holds only [A-Za-z0-9-._/@^+] (empty values are bare too: `version=`),
// otherwise Go-quoted (%q): \" \\ \n \t and the rest of Go's escapes. Pure; no I/O.

export interface LogrusEntry {
  time: string;
  level: string;
  msg: string;
  /** Every key=value of the line, time/level/msg included, values unescaped. */
  fields: Record<string, string>;
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/**
 * Reads a Go-quoted string starting at the opening quote `line[start]`. Returns the value and the
 * index just past the closing quote, or undefined when the quote is never closed (a line cut
 * short) or an escape is malformed.
 */
function readQuoted(line: string, start: number): { value: string; end: number } | undefined {
  let i = start + 1;
  let out = '';
  let from = i;
  // Positions of the next quote and backslash are kept until passed: an error with many escapes
  // (PGO quotes whole shell scripts) is scanned once, not once per escape.
  let j = -1;
  let k = -1;
  for (;;) {
    if (j < i) j = line.indexOf('"', i);
    if (k < i && k !== -2) {
      k = line.indexOf('\\', i);
      if (k < 0) k = -2;
    }
    if (j < 0) return undefined;
    if (k === -2 || j < k) return { value: out + line.slice(from, j), end: j + 1 };
    out += line.slice(from, k);
    const c = line[k + 1];
    if (c === undefined) return undefined;
    if (c in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[c];
      i = k + 2;
    } else if (c === 'x' || c === 'u' || c === 'U') {
      const n = c === 'x' ? 2 : c === 'u' ? 4 : 8;
      const hex = line.slice(k + 2, k + 2 + n);
      if (hex.length < n || ![...hex].every((h) => isHex(h.charCodeAt(0)))) return undefined;
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) return undefined;
      out += String.fromCodePoint(code);
      i = k + 2 + n;
    } else if (c >= '0' && c <= '7') {
      const oct = line.slice(k + 1, k + 4);
      if (!/^[0-7]{3}$/.test(oct)) return undefined;
      out += String.fromCharCode(parseInt(oct, 8));
      i = k + 4;
    } else {
      return undefined;
    }
    from = i;
  }
}

/** key=value pairs of one line; undefined when the line is not in that form (or cut short). */
export function parseFields(line: string): Record<string, string> | undefined {
  const fields: Record<string, string> = {};
  const n = line.length;
  let i = 0;
  while (i < n) {
    while (i < n && line.charCodeAt(i) === 32) i++;
    if (i >= n) break;
    const eq = line.indexOf('=', i);
    if (eq <= i) return undefined;
    // logrus writes keys as given, spaces included (PGO's `worker count=1`).
    const key = line.slice(i, eq);
    if (key.includes('"')) return undefined;
    if (line.charCodeAt(eq + 1) === 34 /* " */) {
      const q = readQuoted(line, eq + 1);
      if (!q) return undefined;
      fields[key] = q.value;
      i = q.end;
      if (i < n && line.charCodeAt(i) !== 32) return undefined;
    } else {
      const sp = line.indexOf(' ', eq + 1);
      const end = sp < 0 ? n : sp;
      fields[key] = line.slice(eq + 1, end);
      i = end;
    }
  }
  return fields;
}

/**
 * One of PGO's entries, or undefined for anything else: a line of another program (klog, a Go
 * panic, a shell), a line that does not start with time=, or one whose quoting is broken (cut).
 */
export function parseLogrusLine(line: string): LogrusEntry | undefined {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (!text.startsWith('time=')) return undefined;
  const fields = parseFields(text);
  if (!fields || fields.time === undefined || fields.level === undefined || fields.msg === undefined) return undefined;
  return { time: fields.time, level: fields.level, msg: fields.msg, fields };
}
