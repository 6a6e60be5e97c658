// `kubectl pgo status`: snapshot (API or --from) -> views -> checks -> StatusReport -> render.
// Everything it depends on arrives in `deps`, so tests drive it with hand-made snapshots and a
// fake client, and the watch loop can be stopped by a signal they own.
import { ExitError, UsageError } from '../cli/exit.ts';
import { parseBytes } from '../cli/bytes.ts';
import { parseDuration } from '../cli/duration.ts';
import { attachExplain } from '../explain/attach.ts';
import type { GlobalFlags } from '../cli/global-flags.ts';
import type { IO } from '../cli/io.ts';
import { isMachineFormat, parseOutputFormat, STATUS_OUTPUT_FORMATS, type StatusOutputFormat } from '../cli/output.ts';
import type { CollectOptions, Scope } from '../collect/collect.ts';
import type { ApiClient, WatchEvent } from '../kube/api.ts';
import { LABEL, type CheckOptions, type ClusterRef, type Finding, type Health, type Snapshot } from '../model/types.ts';
import { buildStatusReport, exitCodeOf } from '../report/build.ts';
import { gapLine, reportGap } from '../report/gaps.ts';
import type { StatusReport } from '../report/schema.ts';
import { DEFAULT_MAX_LAG_BYTES } from '../checks/index.ts';
import { renderStatus } from '../render/status.ts';
import { WATCHED, WatchCache, type WatchedResource } from './watch-cache.ts';
import { cannotWatchLine, followKind } from './watch-follow.ts';
import { renderPrometheus } from '../render/prometheus.ts';
import { parseFleetArgs } from '../fleet/args.ts';
import type { ClusterView } from '../view/cluster-view.ts';
import { parseOperatorLogFlag } from '../cli/operator-log-flag.ts';
import type { LogWindow } from '../operator-log/source.ts';

export { DEFAULT_MAX_LAG_BYTES };

export interface StatusArgs {
  flags: GlobalFlags;
  cluster?: string;
  output: StatusOutputFormat;
  from?: string;
  /** --contexts a,b (names as given) or --all-contexts ('all'): a fleet report (lib/fleet). */
  contexts?: string[] | 'all';
  /** --context-concurrency: contexts read at once (default 8). */
  contextConcurrency?: number;
  maxLagBytes: number;
  watch: boolean;
  /** --explain (needs a CLUSTER): PGO's reconcile pipeline for it. */
  explain?: boolean;
  /** --generation-grace: how long observedGeneration may lag before SpecNotObserved. */
  generationGraceMs?: number;
  /** --operator-log: how much of PGO's log to read; undefined = off. */
  operatorLog?: LogWindow;
}

export interface StatusDeps {
  connect(flags: GlobalFlags): Promise<ApiClient>;
  /** `watch`: what --watch needs of a collection (lists it keeps current, their resourceVersions). */
  collect(client: ApiClient, scope: Scope, operatorLog?: LogWindow, watch?: Pick<CollectOptions, 'kept' | 'onListed'>): Promise<Snapshot>;
  loadSnapshot(path: string, scope: Scope): Snapshot;
  buildClusterViews(snap: Snapshot): ClusterView[];
  /** views: the ones already built from snap, so they are not built twice. */
  runChecks(snap: Snapshot, opts: CheckOptions, views?: ClusterView[]): Finding[];
  healthOf(ref: ClusterRef, findings: Finding[], snap: Snapshot): Health;
  now(): Date;
  /** Ends --watch (default: SIGINT or SIGTERM). */
  stop?: AbortSignal;
  /** --watch: the shortest time between two collections. */
  minIntervalMs?: number;
  /** --watch: pause before a watch that ended is opened again. */
  rewatchDelayMs?: number;
  /** --watch: how often the kinds that are not watched (Events, Deployments, Jobs, the operator and its log) are listed again. */
  resyncMs?: number;
}

/** Flags as yargs hands them over -> validated arguments. Every mistake is one line, exit 1. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function parseStatusArgs(argv: any, flags: GlobalFlags): StatusArgs {
  const output = parseOutputFormat(argv.output, STATUS_OUTPUT_FORMATS);
  const from: string | undefined = argv.from === undefined ? undefined : String(argv.from);
  if (from !== undefined && from.trim() === '') throw new UsageError('error: --from needs a file or directory path');
  const watch = Boolean(argv.watch);
  if (watch && from !== undefined) {
    throw new UsageError('error: --watch cannot be used with --from: a file does not change; drop one of them');
  }
  const explain = Boolean(argv.explain);
  if (explain && (argv.cluster === undefined || argv.cluster === '')) {
    throw new UsageError('error: --explain needs a CLUSTER: kubectl pgo status CLUSTER --explain');
  }
  const rawGrace = argv.generationGrace ?? argv['generation-grace'];
  const generationGraceMs = rawGrace === undefined ? undefined : parseDuration(String(rawGrace), 'generation-grace');
  const rawLag = argv.maxLag ?? argv['max-lag'];
  const maxLagBytes = rawLag === undefined ? DEFAULT_MAX_LAG_BYTES : parseBytes(rawLag, 'max-lag');
  const cluster: string | undefined = argv.cluster === undefined || argv.cluster === '' ? undefined : String(argv.cluster);
  const operatorLog = parseOperatorLogFlag(argv.operatorLog ?? argv['operator-log']);
  if (cluster !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(cluster)) {
    throw new UsageError(`error: "${cluster}" is not a valid PostgresCluster name (lower case letters, digits and "-")`);
  }
  if (watch && output === 'prometheus') throw new UsageError('error: -o prometheus cannot be used with --watch: metrics are read once per scrape');
  return { flags, cluster, output, from, maxLagBytes, watch, operatorLog, explain, generationGraceMs, ...parseFleetArgs(argv, flags, { from, watch, output }) };
}

export async function defaultDeps(): Promise<StatusDeps> {
  const [{ buildClusterViews }, { runChecks, healthOf }, { loadSnapshot }] = await Promise.all([
    import('../view/cluster-view.ts'),
    import('../checks/index.ts'),
    import('../snapshot/from-file.ts'),
  ]);
  let discovery: Snapshot['pgo'] | undefined;
  return {
    // The API client is loaded only when a cluster is asked: --from never pays for it.
    connect: async (flags) => (await import('../kube/connect.ts')).connect(flags),
    collect: async (client, scope, operatorLog, watch) => {
      // --watch collects again and again: discovery (API versions, CRD) is done only the first time.
      const snap = await (await import('../collect/collect.ts')).collect(client, scope, { ...(discovery ? { discovery } : {}), operatorLog, ...watch, forStatus: true });
      discovery ??= { apiVersions: snap.pgo.apiVersions, crdVersion: snap.pgo.crdVersion };
      return snap;
    },
    loadSnapshot,
    buildClusterViews,
    runChecks,
    healthOf,
    now: () => new Date(),
  };
}

/** One snapshot -> the report every format is rendered from. */
export function reportOf(snap: Snapshot, args: StatusArgs, deps: StatusDeps, scope?: Scope): StatusReport {
  const pgcGap = snap.gaps.find((g) => g.resource.split('.')[0] === 'postgresclusters');
  // Without the PostgresCluster list there is nothing to report on: that is a failure, not a gap.
  if (pgcGap) throw new ExitError(gapLine(reportGap(pgcGap)).replace(/^Warning: /, 'error: '), 1);
  const all = deps.buildClusterViews(snap);
  let views = all;
  if (args.cluster) {
    const wanted = views.filter((v) => v.name === args.cluster && (!args.flags.namespace || v.namespace === args.flags.namespace));
    if (wanted.length === 0) throw notFoundIn(snap, args, all);
    views = wanted;
  }
  const findings = deps.runChecks(snap, { maxLagBytes: args.maxLagBytes, now: new Date(snap.takenAt), specGraceMs: args.generationGraceMs }, all);
  const report = buildStatusReport({
    snapshot: snap,
    views,
    findings,
    health: (ref) => deps.healthOf(ref, findings, snap),
    now: deps.now(),
  });
  // The scope asked for decides the layout (NAMESPACE column, detailed view), whatever the source kept.
  if (scope) report.scope = { allNamespaces: scope.allNamespaces, namespace: scope.allNamespaces ? null : scope.namespace, cluster: scope.cluster ?? null };
  if (args.explain) attachExplain(report, findings, snap);
  return report;
}

function notFoundIn(snap: Snapshot, args: StatusArgs, views: ClusterView[]): ExitError {
  const where = snap.source.kind === 'file' ? ` in ${snap.source.path}` : '';
  const ns = args.flags.namespace ? ` in namespace "${args.flags.namespace}"` : '';
  const names = views.map((v) => `${v.namespace}/${v.name}`);
  const have = names.length ? `; clusters there: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}` : '; there are no PostgresClusters in it';
  return new ExitError(`error: PostgresCluster "${args.cluster}" not found${ns}${where}${have}`, 1);
}

function scopeOf(args: StatusArgs, defaultNamespace: string | undefined): Scope {
  const f = args.flags;
  if (args.from !== undefined) {
    // A dump is read whole unless -n narrows it: kubectl get -f shows everything in the file too.
    return { allNamespaces: f.allNamespaces || !f.namespace, namespace: f.namespace ?? '', cluster: args.cluster };
  }
  return { allNamespaces: f.allNamespaces, namespace: f.namespace ?? defaultNamespace ?? 'default', cluster: args.cluster };
}

function write(io: IO, report: StatusReport, args: StatusArgs): string {
  const r = args.output === 'prometheus'
    ? { stdout: renderPrometheus([{ context: report.source.kind === 'api' ? report.source.context : null, report }]), stderr: report.gaps.map((g) => `${gapLine(g)}\n`).join('') }
    : renderStatus(report, { format: args.output, color: io.color });
  if (r.stdout) io.out(r.stdout);
  if (r.stderr) io.err(r.stderr);
  return r.stdout;
}

export async function runStatus(args: StatusArgs, io: IO, deps?: StatusDeps): Promise<number> {
  const d = deps ?? (await defaultDeps());
  if (args.contexts) return (await import('../fleet/run.ts')).runFleet(args, io, d, { reportOf, scopeOf });
  if (args.from !== undefined) {
    const scope = scopeOf(args, undefined);
    const snap = d.loadSnapshot(args.from, scope);
    // --operator-log=off: a *.log beside the dump is not read either.
    if (!args.operatorLog) delete snap.operatorLog;
    const report = reportOf(snap, args, d, scope);
    write(io, report, args);
    return exitCodeOf(report);
  }
  const client = await d.connect(args.flags);
  const scope = scopeOf(args, client.defaultNamespace);
  // --watch: each watched kind is followed from the resourceVersion its LIST was read at.
  const versions: Partial<Record<string, string>> = {};
  const snap = await d.collect(client, scope, args.operatorLog, args.watch ? { onListed: (list, rv) => (versions[list] = rv) } : undefined);
  const report = reportOf(snap, args, d, scope);
  if (!args.watch) {
    write(io, report, args);
    return exitCodeOf(report);
  }
  return watchStatus(args, io, d, client, scope, snap, report, versions);
}

// ---- --watch ------------------------------------------------------------------------------

interface WatchTarget {
  resource: string;
  path: string;
  query: Record<string, string | undefined>;
}

export function watchTargets(snap: Pick<Snapshot, 'pgo'>, scope: Scope): WatchTarget[] {
  const ns = scope.allNamespaces ? '' : `/namespaces/${encodeURIComponent(scope.namespace)}`;
  const version = snap.pgo.apiVersions[0] ?? 'v1beta1';
  const byCluster = scope.cluster ? `${LABEL.cluster}=${scope.cluster}` : LABEL.cluster;
  return [
    {
      resource: 'postgresclusters',
      path: `/apis/postgres-operator.crunchydata.com/${version}${ns}/postgresclusters`,
      query: { fieldSelector: scope.cluster ? `metadata.name=${scope.cluster}` : undefined, allowWatchBookmarks: 'true' },
    },
    { resource: 'statefulsets', path: `/apis/apps/v1${ns}/statefulsets`, query: { labelSelector: byCluster, allowWatchBookmarks: 'true' } },
    { resource: 'pods', path: `/api/v1${ns}/pods`, query: { labelSelector: byCluster, allowWatchBookmarks: 'true' } },
  ];
}

/**
 * status --watch follows more kinds than the objects whose change calls for a new collection
 * (watchTargets, which lib/fleet/watch.ts uses): everything of a cluster that changes on its own.
 * Events, Deployments, Jobs, the operator and its log are listed again every resync interval.
 */
function followTargets(snap: Pick<Snapshot, 'pgo'>, scope: Scope): WatchTarget[] {
  const ns = scope.allNamespaces ? '' : `/namespaces/${encodeURIComponent(scope.namespace)}`;
  const query = { labelSelector: scope.cluster ? `${LABEL.cluster}=${scope.cluster}` : LABEL.cluster };
  return [
    ...watchTargets(snap, scope),
    ...(['endpoints', 'persistentvolumeclaims', 'services'] as const).map((resource) => ({ resource, path: `/api/v1${ns}/${resource}`, query })),
  ];
}

export function stopSignal(deps: StatusDeps): { signal: AbortSignal; dispose: () => void } {
  if (deps.stop) return { signal: deps.stop, dispose: () => {} };
  const ac = new AbortController();
  const onSignal = () => ac.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: ac.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Reports again whenever an object a watch follows changes (at most once per interval, and only
 * when the report says something new). Ends cleanly on Ctrl-C with the exit code of the last report.
 */
async function watchStatus(
  args: StatusArgs,
  io: IO,
  deps: StatusDeps,
  client: ApiClient,
  scope: Scope,
  firstSnap: Snapshot,
  firstReport: StatusReport,
  versions: Partial<Record<string, string>>,
): Promise<number> {
  const { signal, dispose } = stopSignal(deps);
  const minInterval = deps.minIntervalMs ?? 1000;
  const rewatchDelay = deps.rewatchDelayMs ?? 1000;
  const machine = isMachineFormat(args.output);
  const redraw = io.isTTY && !machine;
  let code = exitCodeOf(firstReport);
  let lastKey = '';
  let frames = 0;

  const show = (report: StatusReport) => {
    // The key ignores the timestamps, so only a change in what the report says is printed again.
    const key = renderStatus(report, { format: args.output === 'wide' ? 'wide' : 'table', color: false }).stdout + JSON.stringify(report.gaps);
    code = exitCodeOf(report);
    if (key === lastKey) return;
    lastKey = key;
    if (redraw) io.out('\x1b[H\x1b[2J');
    else if (frames > 0) io.out(args.output === 'yaml' ? '---\n' : machine ? '' : '\n');
    if (redraw) io.out(`Every change of ${scope.cluster ?? 'the PostgresClusters in scope'}; updated ${report.generatedAt} (Ctrl-C to stop)\n\n`);
    write(io, report, args);
    frames++;
  };
  show(firstReport);

  // A watch event updates the kept Snapshot (no LIST per change: watch-cache.ts); a watch that
  // fails costs a LIST of its kind only (watch-follow.ts); the kinds that are not watched (Events,
  // Deployments, Jobs, the operator and its log) are listed again every resync interval.
  const resync = deps.resyncMs ?? 30_000;
  const cache = new WatchCache(firstSnap);
  let changed = false;
  let wake: (() => void) | undefined;
  const touch = (yes: boolean) => {
    if (!yes) return;
    changed = true;
    wake?.();
  };
  const watchers = followTargets(firstSnap, scope).map((t) =>
    followKind(client, t, versions[WATCHED[t.resource as WatchedResource]], { onEvent: (e) => touch(cache.apply(t.resource, e)), onList: (items) => touch(cache.replace(t.resource, items)) }, signal, rewatchDelay, io, sleep),
  );

  let lastCollect = Date.now();
  let last = Date.now();
  try {
    while (!signal.aborted) {
      // resync 0 (tests): no timer, every change is a whole collection.
      const due = resync > 0 ? lastCollect + resync - Date.now() : Infinity;
      if (!changed && due > 0) {
        await new Promise<void>((resolve) => {
          const timer = due < Infinity ? setTimeout(() => done(), due) : undefined;
          function done() {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            resolve();
          }
          wake = done;
          signal.addEventListener('abort', done, { once: true });
        });
        wake = undefined;
        continue;
      }
      const wait = last + minInterval - Date.now();
      if (wait > 0) await sleep(wait, signal);
      if (signal.aborted) break;
      last = Date.now();
      try {
        if (resync === 0 || last - lastCollect >= resync) {
          changed = false;
          lastCollect = last;
          const snap = await deps.collect(client, scope, args.operatorLog, { kept: cache.watched() });
          if (signal.aborted) break;
          cache.rebase(snap);
          show(reportOf(snap, args, deps, scope));
        } else {
          changed = false;
          show(reportOf(cache.snapshot(deps.now()), args, deps, scope));
        }
      } catch (e) {
        // A blip (API restart, timeout) must not end a watch someone relies on at 3 a.m.
        io.err(`${(e instanceof Error ? e.message : String(e)).split('\n')[0].replace(/^(?!error:)/, 'error: ')} (will retry on the next change)\n`);
      }
    }
  } finally {
    dispose();
    // Watches end on the abort; do not hang on one that does not.
    await Promise.race([Promise.allSettled(watchers), new Promise((r) => setTimeout(r, 2000).unref())]);
  }
  return code;
}

/** `onEvent`: each event but bookmarks (else each one pokes: collect again). */
export async function keepWatching(client: ApiClient, t: WatchTarget, poke: () => void, signal: AbortSignal, delayMs: number, io: IO, onEvent?: (e: WatchEvent) => void) {
  let warned = false;
  while (!signal.aborted) {
    try {
      await client.watch(t.path, t.query, (e: WatchEvent) => {
        if (e.type === 'BOOKMARK') return;
        if (onEvent && e.type !== 'ERROR') onEvent(e);
        else poke();
      }, signal);
    } catch (e) {
      if (signal.aborted) return;
      const status = (e as { status?: number }).status;
      if (!warned) {
        io.err(cannotWatchLine(t, e));
        warned = true;
      }
      // Without watch permission, a retry every few seconds still notices changes (a slow poll).
      poke();
      await sleep(Math.max(delayMs, status === 403 ? 5 * delayMs : delayMs), signal);
      continue;
    }
    // The server ends watches after a while; open it again, and collect once for what was missed.
    poke();
    await sleep(delayMs, signal);
  }
}
