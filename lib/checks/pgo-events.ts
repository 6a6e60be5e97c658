// Warning Events PGO wrote about a cluster or about one of its objects (StatefulSets, pods,
// PVCs, ...), in PGO's own words. Those after which PGO's Reconcile returns before doing
// anything else are blocking errors; any other reason, known or not, is still reported.
import type { Finding, KObject, Snapshot } from '../model/types.ts';
import { LABEL } from '../model/types.ts';
import { fromPgo } from '../model/pgo-component.ts';
import type { ClusterView } from '../view/cluster-view.ts';
import { describe, mergePatch } from './commands.ts';
import { finding, type Check, type CheckContext } from './context.ts';
import { clockTime, eventTimes, lastSpecWrite } from './pgo-clock.ts';

export { PGO_COMPONENT, fromPgo } from '../model/pgo-component.ts';

const LISTS = ['statefulSets', 'pods', 'pvcs', 'services', 'endpoints', 'deployments', 'jobs'] as const;

/** Finds, for each Event, the cluster it is about: the PostgresCluster itself, an object carrying
 *  the cluster label (by uid, then kind and name), else the longest cluster name that prefixes
 *  the object's name in its namespace (a deleted StatefulSet has no labels left to read). */
export function eventCluster(snap: Snapshot, views: ClusterView[]): (e: KObject) => ClusterView | undefined {
  const byKey = new Map(views.map((v) => [`${v.namespace}/${v.name}`, v]));
  const labelled = new Map<string, string>();
  for (const list of LISTS) {
    for (const o of snap.objects[list] ?? []) {
      const c = o.metadata.labels?.[LABEL.cluster];
      if (!c) continue;
      const ns = o.metadata.namespace ?? '';
      if (o.metadata.uid) labelled.set(`uid:${o.metadata.uid}`, `${ns}/${c}`);
      labelled.set(`${o.kind ?? list}:${ns}/${o.metadata.name}`, `${ns}/${c}`);
    }
  }
  const kindOf: Record<string, string> = { StatefulSet: 'statefulSets', Pod: 'pods', PersistentVolumeClaim: 'pvcs', Service: 'services', Endpoints: 'endpoints', Deployment: 'deployments', Job: 'jobs' };
  return (e) => {
    const io = e.involvedObject ?? e.regarding;
    if (!io?.name) return undefined;
    const ns = io.namespace ?? e.metadata.namespace ?? '';
    if (io.kind === 'PostgresCluster') return byKey.get(`${ns}/${io.name}`);
    const key = (io.uid && labelled.get(`uid:${io.uid}`)) ?? labelled.get(`${io.kind}:${ns}/${io.name}`) ??
      labelled.get(`${kindOf[io.kind] ?? ''}:${ns}/${io.name}`);
    if (key) return byKey.get(key);
    let best: ClusterView | undefined;
    for (const v of views) {
      if (v.namespace === ns && madeFor(v, io.name) && (!best || v.name.length > best.name.length)) best = v;
    }
    return best;
  };
}

// Names PGO gives a cluster's objects after "<cluster>-" (naming package): an instance set's
// StatefulSets, pods and volumes, the repo host, pgBouncer, backup Jobs, Services and ConfigMaps.
const OWN_SUFFIXES = ['repo-host', 'repo', 'pgbouncer', 'backup-', 'ha', 'primary', 'replicas', 'pods', 'config', 'pgbackrest', 'instance', 'monitoring', 'pguser-', 'cluster-cert', 'replication-cert'];

/** Whether `name` is one PGO gives an object of this cluster (and not of a cluster whose name
 *  merely starts with this one's: "hippo-two-..." is not hippo's, "hippo-instance1-..." is). */
function madeFor(v: ClusterView, name: string): boolean {
  if (!name.startsWith(`${v.name}-`)) return false;
  const rest = name.slice(v.name.length + 1);
  const sets = v.sets.map((x) => `${x.name}-`);
  return [...sets, ...OWN_SUFFIXES].some((p) => rest === p.replace(/-$/, '') || rest.startsWith(p.endsWith('-') ? p : `${p}-`) || rest === p);
}

interface Stopping {
  /** The gate in PGO's Reconcile that returns early after this event. */
  gate: string;
  /** Whether it holds for this cluster (e.g. MissingRequiredImage lets a shut-down cluster through). */
  holds(v: ClusterView): boolean;
  detail: string;
  remedy(v: ClusterView, snap: Snapshot): string;
}

// From PGO's Reconcile (internal/controller/postgrescluster/controller.go, v5.8 and v6.0) and
// reconcileDataSource (pgbackrest.go): each of these events is followed by a return before
// any reconcile step, so nothing else of the cluster converges while it holds.
export const STOPPING_EVENTS: Record<string, Stopping> = {
  MissingRequiredImage: {
    gate: 'VerifyImageValues',
    holds: (v) => !v.shutdown,
    detail: 'PGO checks that it knows an image for every container before it reconciles anything; without one it returns at once, ' +
      'on every reconcile (only a shut-down cluster is let through, for upgrades). No instance, backup or pgBouncer change happens until the image is known.',
    remedy: (v, snap) => {
      const op = snap.operator.deployments[0];
      const where = op ? `deployment/${op.metadata.name} -n ${op.metadata.namespace}` : 'deployment/pgo -n postgres-operator';
      return 'Give PGO the image: either in the cluster\'s spec (spec.image for PostgreSQL, spec.backups.pgbackrest.image, spec.proxy.pgBouncer.image):\n' +
        `  kubectl edit postgrescluster ${v.name} -n ${v.namespace}\n` +
        `or in the operator's RELATED_IMAGE_* variables for this PostgreSQL version (see what is set):\n  kubectl set env ${where} --list | grep RELATED_IMAGE`;
    },
  },
  InvalidStandbyConfiguration: {
    gate: 'standby validation',
    holds: () => true,
    detail: 'PGO refuses a standby without spec.standby.host or spec.standby.repoName and returns at the start of every reconcile.',
    remedy: (v) => `Name the standby's source, or turn standby off:\n  ${mergePatch(v, { spec: { standby: { enabled: false } } })}`,
  },
  InvalidDataSource: {
    gate: 'reconcileDataSource',
    // Only a cluster not yet bootstrapped waits for its data source.
    holds: (v) => !v.object.status?.patroni?.systemIdentifier,
    detail: 'PGO cannot start the restore that bootstraps this cluster from spec.dataSource, and its Reconcile returns at the data-source step ' +
      'until the data is initialized: no instance is created.',
    remedy: (v) => `Correct spec.dataSource as the message says; see what it holds now:\n  kubectl get postgrescluster ${v.name} -n ${v.namespace} -o jsonpath='{.spec.dataSource}'\n` +
      `  kubectl edit postgrescluster ${v.name} -n ${v.namespace}`,
  },
};

const KIND_TO_CLI: Record<string, string> = {
  PostgresCluster: 'postgrescluster', StatefulSet: 'statefulset', Pod: 'pod', PersistentVolumeClaim: 'pvc', Service: 'service',
  Endpoints: 'endpoints', Deployment: 'deployment', Job: 'job', CronJob: 'cronjob', ConfigMap: 'configmap', Secret: 'secret',
};

interface Grouped {
  v: ClusterView;
  events: KObject[];
  reason: string;
  message: string;
  kind: string;
  name: string;
}

function run(ctx: CheckContext): Finding[] {
  const { snap, views } = ctx;
  const clusterOf = eventCluster(snap, views);
  const groups = new Map<string, Grouped>();
  for (const e of snap.objects.events ?? []) {
    if (e.type !== 'Warning' || !fromPgo(e)) continue;
    const v = clusterOf(e);
    if (!v) continue;
    const io = e.involvedObject ?? e.regarding ?? {};
    const reason = String(e.reason ?? '');
    const message = String(e.message ?? e.note ?? '');
    const key = `${v.namespace}/${v.name}|${io.kind}/${io.name}|${reason}|${message}`;
    const g = groups.get(key) ?? { v, events: [], reason, message, kind: String(io.kind ?? 'Object'), name: String(io.name ?? '') };
    g.events.push(e);
    groups.set(key, g);
  }
  const out: Finding[] = [];
  for (const g of groups.values()) {
    const f = toFinding(g, snap);
    if (f) out.push(f);
  }
  return out;
}

function toFinding(g: Grouped, snap: Snapshot): Finding | undefined {
  const { v, reason, message } = g;
  const times = g.events.map(eventTimes);
  const count = times.reduce((n, t) => n + t.count, 0);
  const first = times.map((t) => t.first).filter((t): t is string => !!t).sort()[0];
  const last = times.map((t) => t.last).filter((t): t is string => !!t).sort().at(-1);
  const spec = lastSpecWrite(v.object);
  const lastAt = last ? Date.parse(last) : NaN;
  // An event from before the latest write to the spec may be about a spec that is gone; with
  // no time to compare, it counts as current (a false alarm is better than a false Healthy).
  // PGO's own log showing a reconcile of the cluster that succeeded after the event: it got past it.
  const okAt = (snap.operatorLog?.sources ?? []).map((src) => src.digest.lastSuccess?.[`${v.namespace}/${v.name}`]).filter((t): t is string => !!t).sort().pop();
  const recovered = okAt !== undefined && !Number.isNaN(lastAt) && Date.parse(okAt) > lastAt;
  const current = (!spec || Number.isNaN(lastAt) || lastAt >= spec.at) && !recovered;
  const subject = `${g.kind}/${g.name}`;
  const seen = `${count === 1 ? 'once' : `${count} times`}${first && count > 1 ? ` between ${clockTime(first)} and ${clockTime(last)}` : last ? ` at ${clockTime(last)}` : ''}`;
  const data = {
    reason, message, count, firstTime: first ?? null, lastTime: last ?? null, object: subject,
    events: g.events.map((e) => e.metadata.name), current,
  };
  const stop = STOPPING_EVENTS[reason];
  // The spec check already reports an invalid standby with its own remedy; the event only confirms it.
  const specSaysSo = reason === 'InvalidStandbyConfiguration' && v.object.spec?.standby?.enabled === true &&
    !v.object.spec?.standby?.host && !v.object.spec?.standby?.repoName;
  if (specSaysSo) return undefined;
  const describeIt = KIND_TO_CLI[g.kind] ? describe(KIND_TO_CLI[g.kind], g.name, v.namespace) : `kubectl get events -n ${v.namespace} --field-selector involvedObject.name=${g.name}`;
  if (stop && current && stop.holds(v)) {
    return finding(v, {
      code: 'PgoReconcileStopped',
      severity: 'error',
      subject,
      message: `PGO: ${reason}: ${message} (Warning event, ${seen})`,
      detail: `${stop.detail} PGO said so in a Warning event on ${subject}.`,
      remedy: stop.remedy(v, snap),
      blocking: true,
      data: { ...data, gate: stop.gate },
    });
  }
  const stale = recovered
    ? ` PGO's log shows a reconcile of the cluster that succeeded after it (${clockTime(Date.parse(okAt!))}): PGO got past it; it repeats a warning that still holds.`
    : !current
      ? ` It is older than the latest change to the spec (${clockTime(spec!.at)}): it may be about a spec that is gone; PGO repeats a warning that still holds.`
      : '';
  return finding(v, {
    code: 'PgoWarningEvent',
    severity: current ? 'warning' : 'info',
    subject,
    message: `PGO: ${reason}: ${message} (Warning event, ${seen})`,
    detail: `PGO reported a problem with ${subject} of ${v.namespace}/${v.name} in its own words.${stale}`,
    remedy: `See the object and its events:\n  ${describeIt}\n  kubectl get events -n ${v.namespace} --field-selector type=Warning,involvedObject.name=${g.name}`,
    data,
  });
}

export const pgoEventsCheck: Check = { codes: ['PgoReconcileStopped', 'PgoWarningEvent'], phase: 1, run };
