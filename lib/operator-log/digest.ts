// What PGO's own log says about each PostgresCluster: its "Reconciler error" lines grouped per
// cluster and failing step, and whether a reconcile of that cluster has succeeded since.
// Pure; the text comes from one pods/log read (or a file beside a --from dump).
import { parseLogrusLine } from './logrus.ts';

/** The same error at the same step of the same cluster, however often PGO logged it. */
export interface ReconcileErrorGroup {
  namespace: string;
  name: string;
  /** PGO's error, verbatim (the `error` field). */
  error: string;
  /** The step that returned it: PGO's `func` field, e.g. postgrescluster.(*Reconciler).reconcilePatroniSwitchover. */
  func: string | null;
  /** Source file and line, e.g. internal/controller/postgrescluster/patroni.go:482. */
  file: string | null;
  count: number;
  /** Times of the first and the last such line (PGO's `time` field, RFC 3339). */
  first: string;
  last: string;
  /** false when the log shows a reconcile of this cluster that succeeded after the last such line. */
  current: boolean;
}

export interface LogDigest {
  /** Lines in the text; PGO's (parsed); others skipped (foreign, broken or cut). */
  lines: number;
  pgoLines: number;
  skipped: number;
  /** The text ended inside a line (a read cut by limitBytes): that line was left out. */
  cutLine: boolean;
  /** Time of the first and last of PGO's lines read: how far back the log reaches. */
  firstTime: string | null;
  lastTime: string | null;
  /** PGO logs successful reconciles only at debug level (CRUNCHY_DEBUG): without them, an error
   *  cannot be known to be over, so every one counts as current. */
  debug: boolean;
  /** Most recent first. */
  errors: ReconcileErrorGroup[];
  /** Per cluster (NS/NAME), the time of the last reconcile the log shows succeeding. */
  lastSuccess: Record<string, string>;
}

/** PGO's times are whole seconds: a line 2 s later was written at least 1 s after the success. */
const SETTLED_MS = 2000;
const RECONCILER_ERROR = 'Reconciler error';
const RECONCILED = 'reconciled cluster';
const QUOTED_ERROR = `"${RECONCILER_ERROR}"`;
const QUOTED_RECONCILED = `"${RECONCILED}"`;
const PATCHED = 'patched cluster status';
const QUOTED_PATCHED = `"${PATCHED}"`;
/** A log read this long after a success (our clock against PGO's: small skews allowed for) holds its error, if any. */
const READ_SETTLED_MS = 5000;
/** logrus writes time, level and msg first, in that order. */
const HEADER = /^time="([^"\\]*)" level=([a-z]+) msg=/;

/** NS/NAME of the PostgresCluster an entry is about, from PostgresCluster=NS/NAME or namespace+name. */
function clusterOf(fields: Record<string, string>): { namespace: string; name: string } | undefined {
  const ref = fields.PostgresCluster;
  if (ref) {
    const slash = ref.indexOf('/');
    if (slash > 0 && slash < ref.length - 1) return { namespace: ref.slice(0, slash), name: ref.slice(slash + 1) };
  }
  const kind = fields.controllerKind;
  if ((kind === undefined || kind === 'PostgresCluster') && fields.namespace && fields.name && (ref !== undefined || kind === 'PostgresCluster')) {
    return { namespace: fields.namespace, name: fields.name };
  }
  return undefined;
}

/**
 * @param text the log, oldest line first
 * @param opts.cut the text was cut at a byte limit, so a last line without a newline is incomplete
 * @param opts.readAt when the text was read (ms since the epoch), for a success at its very end
 */
export function digestOperatorLog(text: string, opts: { cut?: boolean; readAt?: number } = {}): LogDigest {
  const raw = text.split('\n');
  let cutLine = false;
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();
  else if (opts.cut && raw.length > 0) {
    raw.pop();
    cutLine = true;
  }
  const groups = new Map<string, ReconcileErrorGroup & { lastIndex: number }>();
  // Per reconcileID: the cluster and the index of its "reconciled cluster" line, and whether an error ended it.
  const reconciles = new Map<string, { key: string; index: number; time: string; failed: boolean; patched?: boolean }>();
  let pgoLines = 0;
  let debug = false;
  let firstTime: string | null = null;
  let lastTime: string | null = null;

  for (let i = 0; i < raw.length; i++) {
    const line = raw[i];
    // Most lines matter only for their time and level: the header is read without parsing the
    // rest, and only the two messages that count are parsed whole (4 MiB stays well under 100 ms).
    const h = HEADER.exec(line);
    if (!h) continue;
    const msgAt = h[0].length;
    const wanted = line.startsWith(QUOTED_ERROR, msgAt) || line.startsWith(QUOTED_RECONCILED, msgAt) || line.startsWith(QUOTED_PATCHED, msgAt);
    const e = wanted ? parseLogrusLine(line) : undefined;
    if (wanted && !e) continue;
    pgoLines++;
    firstTime ??= h[1];
    lastTime = h[1];
    if (h[2] === 'debug') debug = true;
    if (!e) continue;
    const c = clusterOf(e.fields);
    if (!c) continue;
    const key = `${c.namespace}/${c.name}`;
    const id = e.fields.reconcileID;
    if (e.msg === RECONCILED) {
      if (id) reconciles.set(id, { key, index: i, time: e.time, failed: false });
      continue;
    }
    if (e.msg === PATCHED) {
      const r = id ? reconciles.get(id) : undefined;
      if (r) r.patched = true;
      continue;
    }
    if (id) {
      const r = reconciles.get(id);
      if (r) r.failed = true;
      else reconciles.set(id, { key, index: i, time: e.time, failed: true });
    }
    const error = e.fields.error ?? '';
    const func = e.fields.func ?? null;
    const gk = `${key}\u0000${func ?? ''}\u0000${error}`;
    const g = groups.get(gk);
    if (g) {
      g.count++;
      g.last = e.time;
      g.lastIndex = i;
      g.file = e.fields.file ?? g.file;
    } else {
      groups.set(gk, { namespace: c.namespace, name: c.name, error, func, file: e.fields.file ?? null, count: 1, first: e.time, last: e.time, current: true, lastIndex: i });
    }
  }

  // A reconcile succeeded when PGO logged "reconciled cluster" for it and no error with its
  // reconcileID. PGO logs "reconciled cluster" before it patches the status, and the error after
  // that API call returns: a log read in between (or cut at a byte limit there) shows a success
  // that is not one. So a success counts once its "patched cluster status" line is in (the error
  // follows it within microseconds), or a line at least SETTLED_MS later, or the log was read
  // READ_SETTLED_MS after it. (An operator quiet after a success, read within those seconds,
  // leaves the old errors standing one read longer: a finding too many, never one too few.)
  const lastSuccess = new Map<string, number>();
  const successAt: Record<string, string> = {};
  const last = lastTime === null ? NaN : Date.parse(lastTime);
  for (const r of reconciles.values()) {
    if (r.failed) continue;
    const at = Date.parse(r.time);
    const settled = r.patched || last - at >= SETTLED_MS || (opts.readAt !== undefined && opts.readAt - at >= READ_SETTLED_MS);
    if (!settled) continue;
    if ((lastSuccess.get(r.key) ?? -1) < r.index) {
      lastSuccess.set(r.key, r.index);
      successAt[r.key] = r.time;
    }
  }
  const errors = [...groups.values()]
    .map(({ lastIndex, ...g }) => ({ ...g, current: lastIndex > (lastSuccess.get(`${g.namespace}/${g.name}`) ?? -1), lastIndex }))
    .sort((a, b) => b.lastIndex - a.lastIndex)
    .map(({ lastIndex: _drop, ...g }) => g);
  return { lines: raw.length + (cutLine ? 1 : 0), pgoLines, skipped: raw.length - pgoLines + (cutLine ? 1 : 0), cutLine, firstTime, lastTime, debug, errors, lastSuccess: successAt };
}
