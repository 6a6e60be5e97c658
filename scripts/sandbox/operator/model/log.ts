// PGO's log format: logrus' TextFormatter with FullTimestamp, as PGO's internal/logging sets it up.
// A line is time, level and msg, then every field sorted by key (byte order, so upper case first);
// a value is written bare when it holds only [A-Za-z0-9-._/@^+] (or is empty), else quoted the way
// Go's %q does. Every entry carries `version` (empty in a build without release flags, as in the
// recorded log); an error entry carries `error` and, when the error has a pkg/errors stack, the
// `file` and `func` of its outermost frame. Reference: ../shared/fixtures/pgo/v5.8.9/recorded/operator.log.
export type Value = string | number | boolean;
export type Fields = Record<string, Value>;

/** Where a pkg/errors error was made: PGO logs it as file="internal/...go:LINE" func="pkg.(*T).fn". */
export interface Origin {
  file: string;
  func: string;
}

const BARE = /^[A-Za-z0-9\-._/@^+]*$/;
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const SHORT: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

/** Go's strconv.Quote: printable runes as they are, the rest escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (PRINTABLE.test(ch)) out += ch;
    else if (SHORT[ch]) out += SHORT[ch];
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out + '"';
}

export function logrusValue(v: Value): string {
  const s = String(v);
  return BARE.test(s) ? s : goQuote(s);
}

/** Go's time.RFC3339 in UTC, as the operator's container (TZ unset) writes it. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** One line. Fields named time, level or msg are renamed fields.<key>, as logrus does. */
export function formatLine(time: Date, level: string, msg: string, fields: Fields): string {
  const parts = [`time=${logrusValue(rfc3339(time))}`, `level=${level}`];
  if (msg !== '') parts.push(`msg=${logrusValue(msg)}`);
  const data: Fields = {};
  for (const [k, v] of Object.entries(fields)) data[k === 'time' || k === 'level' || k === 'msg' ? `fields.${k}` : k] = v;
  const keys = Object.keys(data).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const k of keys) parts.push(`${k}=${logrusValue(data[k])}`);
  return parts.join(' ');
}

/** An error that knows where PGO made it (a pkg/errors stack); others are logged without file/func. */
export function originOf(e: unknown): Origin | undefined {
  return e && typeof e === 'object' && 'origin' in e ? ((e as { origin?: Origin }).origin ?? undefined) : undefined;
}

export class Logger {
  constructor(
    private readonly fields: Fields = {},
    private readonly out: (line: string) => void = (l) => process.stdout.write(l + '\n'),
    private readonly debugEnabled = process.env.CRUNCHY_DEBUG === 'true',
    private readonly clock: () => Date = () => new Date(),
    private readonly version = '',
  ) {}

  with(fields: Fields): Logger {
    return new Logger({ ...this.fields, ...fields }, this.out, this.debugEnabled, this.clock, this.version);
  }

  private write(level: string, msg: string, extra: Fields): void {
    this.out(formatLine(this.clock(), level, msg, { version: this.version, ...this.fields, ...extra }));
  }

  info(msg: string, extra: Fields = {}): void {
    this.write('info', msg, extra);
  }
  debug(msg: string, extra: Fields = {}): void {
    if (this.debugEnabled) this.write('debug', msg, extra);
  }
  /** logr's Error(err, msg, kv...): the error's text, and its origin when it has one. */
  error(err: unknown, msg: string, extra: Fields = {}): void {
    const origin = originOf(err);
    const text = err instanceof Error ? err.message : String(err);
    this.write('error', msg, { ...extra, error: text, ...(origin ? { file: origin.file, func: origin.func } : {}) });
  }
}
