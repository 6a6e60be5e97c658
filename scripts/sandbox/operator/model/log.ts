// Log lines in the shape PGO's logger wrote them in the recorded operator-errors.log:
// time="..." level=error msg="Reconciler error" PostgresCluster=db/hippo error="..." func="..."
export type Fields = Record<string, string>;

function quote(v: string): string {
  return /^[A-Za-z0-9_.\/:@-]+$/.test(v) ? v : JSON.stringify(v);
}

export class Logger {
  constructor(
    private readonly fields: Fields = {},
    private readonly out: (line: string) => void = (l) => process.stdout.write(l + '\n'),
    private readonly debugEnabled = process.env.CRUNCHY_DEBUG === 'true',
  ) {}

  with(fields: Fields): Logger {
    return new Logger({ ...this.fields, ...fields }, this.out, this.debugEnabled);
  }

  private write(level: string, msg: string, extra: Fields = {}): void {
    const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const parts = [`time="${time}"`, `level=${level}`, `msg=${JSON.stringify(msg)}`];
    for (const [k, v] of Object.entries({ ...this.fields, ...extra })) parts.push(`${k}=${quote(v)}`);
    this.out(parts.join(' '));
  }

  info(msg: string, extra?: Fields): void {
    this.write('info', msg, extra);
  }
  debug(msg: string, extra?: Fields): void {
    if (this.debugEnabled) this.write('debug', msg, extra);
  }
  error(msg: string, extra?: Fields): void {
    this.write('error', msg, extra);
  }
}
