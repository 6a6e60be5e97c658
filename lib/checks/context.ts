// What every check receives, and the few helpers they share. Checks are pure: no I/O, no clock
// other than opts.now, no randomness.
import type { CheckOptions, ClusterRef, Finding, Severity, Snapshot } from '../model/types.ts';
import { findingsAbout, findingsAboutNone } from '../model/by-cluster.ts';
import type { ClusterView } from '../view/cluster-view.ts';
import { pipelineFor, stepOfFunc } from '../explain/pipelines.ts';

export interface CheckContext {
  snap: Snapshot;
  views: ClusterView[];
  opts: CheckOptions;
  /** Findings of the earlier phase (the blockers), so later checks can say what holds them up. */
  earlier: Finding[];
}

export interface Check {
  /** Codes this check may emit (the catalogue lists them). */
  codes: readonly string[];
  /** 1: things that stop PGO's reconcile (computed first); 2: everything else. */
  phase: 1 | 2;
  run(ctx: CheckContext): Finding[];
}

export const refOf = (v: ClusterView): ClusterRef => ({ namespace: v.namespace, name: v.name });

/** Builds a Finding with the cluster filled in; keeps check modules short. */
export function finding(
  v: ClusterView | null,
  f: Omit<Finding, 'cluster' | 'severity'> & { severity: Severity },
): Finding {
  const out: Finding = { ...f, cluster: v ? refOf(v) : null };
  if (out.blocking === undefined) delete out.blocking;
  if (out.blockedBy === undefined) delete out.blockedBy;
  return out;
}

/** Which resources this cluster's view could not read (plural names, e.g. "pods"). */
export function unreadable(v: ClusterView): Set<string> {
  return new Set((v.gaps ?? []).map((g) => g.resource.split('.')[0]));
}

/** True when every listed resource was readable for this cluster, so absence means absence. */
export function readable(v: ClusterView, ...resources: string[]): boolean {
  const gone = unreadable(v);
  return resources.every((r) => !gone.has(r));
}

// The order PGO runs its reconcile in: an earlier blocker hides the later ones.
const BLOCKER_ORDER = ['OperatorMissing', 'OperatorNotReady', 'PgoReconcileStopped', 'InvalidStandbyConfiguration', 'ReconcilePaused', 'SwitchoverBlocked'];

/** The blocking finding that stops PGO first for this cluster (operator findings count for all).
 *  `step`: PGO's step that would fix what the caller reports; a ReconcileFailing at a step PGO runs
 *  after it does not keep PGO from it (a step it cannot place still counts: never a false wait). */
export function blockerOf(ctx: CheckContext, v: ClusterView, step?: string): Finding | undefined {
  const mine = [...findingsAboutNone(ctx.earlier), ...findingsAbout(ctx.earlier, v)].filter((f) => f.blocking &&
    !(step && f.code === 'ReconcileFailing' && failsAfter(ctx, f, step)));
  const rank = (f: Finding) => {
    const i = BLOCKER_ORDER.indexOf(f.code);
    return i < 0 ? BLOCKER_ORDER.length : i;
  };
  return mine.sort((a, b) => rank(a) - rank(b))[0];
}

/** The log's failing step (data.func) comes after `step` in PGO's reconcile order for its version. */
function failsAfter(ctx: CheckContext, f: Finding, step: string): boolean {
  const dep = ctx.snap.operator.deployments[0];
  const version = dep?.metadata.labels?.['app.kubernetes.io/version'] ?? ctx.snap.pgo.crdVersion;
  const { pipeline } = pipelineFor(typeof version === 'string' ? version : undefined);
  const failing = stepOfFunc(pipeline, typeof f.data?.func === 'string' ? f.data.func : undefined);
  const at = pipeline.steps.findIndex((s) => s.name === step);
  const failingAt = failing ? pipeline.steps.indexOf(failing) : -1;
  return at >= 0 && failingAt >= 0 && failingAt > at;
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}
