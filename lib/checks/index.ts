// The catalogue of checks (owner: checks helper): pure functions Snapshot -> Finding[].
// Phase 1 finds what stops PGO's reconcile; phase 2 sees those findings, so a problem PGO would
// fix by itself can say what keeps it from doing so (blockedBy).
import type { CheckOptions, ClusterRef, Finding, Health, Severity, Snapshot } from '../model/types.ts';
import { buildClusterViews, gapTouches, type ClusterView } from '../view/cluster-view.ts';
import type { Check, CheckContext } from './context.ts';
import { HEALTH_RESOURCES } from './gaps.ts';
import { CHECKS } from './catalogue.ts';
import { shapeSnapshot } from '../snapshot/shape.ts';
import { UNREADABLE, withoutUnfounded } from './unreadable.ts';
import { pgoSaysWrong } from './no-false-healthy.ts';
import { findingsAbout, findingsAboutNone } from '../model/by-cluster.ts';

/** Default ReplicationLag threshold (--max-lag) for callers: 16 MiB, one WAL segment. */
export const DEFAULT_MAX_LAG_BYTES = 16 * 1024 * 1024;

export { CATALOGUE } from './catalogue.ts';

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Severity, then code, then cluster, subject and message: the same findings always print the same way. */
export function compareFindings(a: Finding, b: Finding): number {
  return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    cmp(a.code, b.code) ||
    cmp(a.cluster ? `${a.cluster.namespace}/${a.cluster.name}` : '', b.cluster ? `${b.cluster.namespace}/${b.cluster.name}` : '') ||
    cmp(a.subject, b.subject) ||
    cmp(a.message, b.message);
}

export function runChecks(raw: Snapshot, opts: CheckOptions, views?: ClusterView[]): Finding[] {
  const snap = shapeSnapshot(raw);
  const ctx: CheckContext = { snap, views: views ?? buildClusterViews(snap), opts, earlier: [] };
  const phase = (n: 1 | 2, list: Check[]) => list.filter((c) => c.phase === n).flatMap((c) => c.run(ctx));
  ctx.earlier = phase(1, CHECKS);
  const all = withoutUnfounded([...ctx.earlier, ...phase(2, CHECKS)]);
  return all.sort(compareFindings);
}

/** Health of one cluster from its findings (and the gaps that touch it).
 *  Blocked: a blocking finding of its own, or one about the operator (nothing converges);
 *  Unknown: an object of it could not be read (UnreadableObject: nothing is concluded from it);
 *  Degraded: an error or warning of its own; Unknown: something it depends on could not be read;
 *  Healthy otherwise. */
export function healthOf(cluster: ClusterRef, all: Finding[], snap: Snapshot): Health {
  const findings = findingsAbout(all, cluster);
  if (findings.some((f) => f.blocking) || findingsAboutNone(all).some((f) => f.blocking)) return 'Blocked';
  if (findings.some((f) => f.code === UNREADABLE)) return 'Unknown';
  if (findings.some((f) => f.severity === 'error' || f.severity === 'warning')) return 'Degraded';
  // Never Healthy while PGO itself says something is wrong (lib/checks/no-false-healthy.ts).
  if (pgoSaysWrong(cluster, findings).length > 0) return 'Degraded';
  const gap = (snap.gaps ?? []).some((g) => gapTouches(snap, g, cluster.namespace) && HEALTH_RESOURCES.has(g.resource.split('.')[0]));
  if (gap) return 'Unknown';
  return 'Healthy';
}
