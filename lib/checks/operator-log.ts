// What PGO's own log says about one cluster, for the checks: its current reconcile failure (the
// most recent "Reconciler error" not followed by a successful reconcile), and the words a
// finding uses to quote it. Shared by ReconcileFailing and the specific checks it confirms.
import type { Finding, Snapshot } from '../model/types.ts';
import type { ReconcileErrorGroup } from '../operator-log/digest.ts';
import type { OperatorLogSource } from '../operator-log/source.ts';
import type { ClusterView } from '../view/cluster-view.ts';

export interface LogFailure {
  /** The most recent current error of the cluster. */
  group: ReconcileErrorGroup;
  source: OperatorLogSource;
  /** Every current error group of the cluster, most recent first (group included). */
  all: Array<{ group: ReconcileErrorGroup; source: OperatorLogSource }>;
}

export function logFailureOf(snap: Snapshot, v: Pick<ClusterView, 'namespace' | 'name'> & { object?: ClusterView['object'] }): LogFailure | undefined {
  // Lines older than this object are about an earlier cluster of the same name.
  const born = v.object?.metadata.creationTimestamp ?? '';
  const all = (snap.operatorLog?.sources ?? [])
    .flatMap((source) => source.digest.errors.filter((g) => g.current && g.namespace === v.namespace && g.name === v.name && g.last >= born).map((group) => ({ group, source })))
    .sort((a, b) => (a.group.last < b.group.last ? 1 : a.group.last > b.group.last ? -1 : 0));
  return all.length ? { group: all[0].group, source: all[0].source, all } : undefined;
}

/** "reconcilePatroniSwitchover" from "postgrescluster.(*Reconciler).reconcilePatroniSwitchover.func2". */
export function stepName(func: string | null): string | null {
  if (!func) return null;
  const parts = func.split('.').filter((p) => !/^func\d+$/.test(p));
  return parts[parts.length - 1] || func;
}

/** HH:MM of an RFC 3339 time, in UTC as PGO logs it. */
export const clock = (t: string) => `${t.slice(11, 16)} UTC`;
export const clockSeconds = (t: string) => `${t.slice(11, 19)} UTC`;

/** The pasteable command that shows the lines behind a finding. */
export function moreLogCommand(source: OperatorLogSource, v: Pick<ClusterView, 'namespace' | 'name'>): string {
  const grep = `grep 'PostgresCluster=${v.namespace}/${v.name} '`;
  if (source.pod) {
    const since = source.window ? ` --since=${Math.max(1, Math.round(source.window.sinceSeconds / 60))}m` : '';
    return `kubectl logs -n ${source.pod.namespace} ${source.pod.name} -c ${source.pod.container}${since} | ${grep}`;
  }
  return `${grep} ${source.file ?? 'operator.log'}`;
}

/** The facts a finding carries about the log lines behind it (stable keys). */
export function logData(group: ReconcileErrorGroup, source: OperatorLogSource): Record<string, unknown> {
  return {
    error: group.error,
    step: stepName(group.func),
    func: group.func,
    file: group.file,
    count: group.count,
    first: group.first,
    last: group.last,
    pod: source.pod ? `${source.pod.namespace}/${source.pod.name}` : null,
    container: source.pod?.container ?? null,
    logFile: source.file,
  };
}

const SWITCHOVER_STEP = 'reconcilePatroniSwitchover';

/**
 * SwitchoverBlocked says what PGO's switchover step fails with; when the log shows that step
 * failing, the finding says so (count, since when) and carries the lines' facts, and no
 * ReconcileFailing is made for it.
 */
export function confirmSwitchoverBlocked(findings: Finding[], snap: Snapshot, v: ClusterView): Finding[] {
  const failure = logFailureOf(snap, v);
  if (!failure) return findings;
  const atStep = failure.all.filter((x) => stepName(x.group.func) === SWITCHOVER_STEP);
  if (atStep.length === 0 || stepName(failure.group.func) !== SWITCHOVER_STEP) return findings;
  return findings.map((f) => {
    if (f.code !== 'SwitchoverBlocked') return f;
    const predicted = typeof f.data?.operatorError === 'string' ? f.data.operatorError : '';
    const same = atStep.find((x) => predicted !== '' && x.group.error.includes(predicted)) ?? atStep[0];
    const { group, source } = same;
    const words = predicted !== '' && group.error.includes(predicted) ? '' : ` ("${oneLine(group.error)}")`;
    return {
      ...f,
      message: `${f.message}; confirmed by the operator's log: ${times(group.count)} since ${clock(group.first)}${words}`,
      data: { ...f.data, operatorLog: logData(group, source) },
    };
  });
}

export const times = (n: number) => (n === 1 ? 'once' : `${n} times`);

/** The first line of an error, at most 200 characters: for one-line messages. */
export function oneLine(s: string): string {
  const first = s.split('\n')[0];
  const cut = first.length > 200 ? `${first.slice(0, 200)}...` : first;
  return cut !== s ? (cut.endsWith('...') ? cut : `${cut.trimEnd()} ...`) : cut;
}

/** The failing step is one a specific check explains (its finding carries the confirmation). */
export function explainedStep(failure: LogFailure, findings: Finding[]): boolean {
  return stepName(failure.group.func) === SWITCHOVER_STEP && findings.some((f) => f.code === 'SwitchoverBlocked');
}
