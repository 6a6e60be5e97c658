// The one rule the health of a cluster may never break: while PGO itself says something is wrong
// with it, it is not Healthy - whatever severity a finding was given. PGO says so through
// reconcile errors in its log (ReconcileFailing), a Warning Event newer than the latest spec
// (PgoWarningEvent with data.current, PgoReconcileStopped), or by not observing the spec
// (SpecNotObserved).
import type { ClusterRef, Finding } from '../model/types.ts';

/** Codes that always mean PGO is reporting a problem with the cluster now. */
export const PGO_SAYS_WRONG = new Set(['ReconcileFailing', 'PgoReconcileStopped', 'SpecNotObserved']);

/** The findings that forbid Healthy for this cluster (empty: the rule does not apply). */
export function pgoSaysWrong(cluster: ClusterRef, findings: Finding[]): Finding[] {
  return findings.filter((f) => f.cluster !== null && f.cluster.namespace === cluster.namespace && f.cluster.name === cluster.name &&
    (PGO_SAYS_WRONG.has(f.code) || (f.code === 'PgoWarningEvent' && f.data?.current !== false)));
}
