// What a PostgresCluster manifest change would make PGO do, found from the live object, the
// server's prediction of the new one, and the cluster as it stands. Pure.
import { LABEL, type Finding, type KObject, type Severity } from '../model/types.ts';
import type { ClusterView } from '../view/cluster-view.ts';

export interface Consequence {
  code: string;
  severity: Severity;
  /** True when data on a volume would be deleted. Rendered first, loudly. */
  dataLoss: boolean;
  message: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Spec = any;

function setsOf(spec: Spec): Map<string, number> {
  const sets = new Map<string, number>();
  (spec?.instances ?? []).forEach((s: { name?: string; replicas?: number }, i: number) => {
    sets.set(s.name || String(i).padStart(2, '0'), s.replicas ?? 1);
  });
  return sets;
}

function sum(m: Map<string, number>): number {
  let n = 0;
  for (const v of m.values()) n += v;
  return n;
}

function switchoverArmed(obj: KObject): boolean {
  const trigger = obj.metadata.annotations?.[LABEL.triggerSwitchover];
  return Boolean(obj.spec?.patroni?.switchover?.enabled && trigger && trigger !== obj.status?.patroni?.switchover);
}

export function manifestConsequences(live: KObject, predicted: KObject, view: ClusterView | undefined): Consequence[] {
  const out: Consequence[] = [];
  const before = setsOf(live.spec);
  const after = setsOf(predicted.spec);
  const ref = `${predicted.metadata.namespace}/${predicted.metadata.name}`;

  for (const [set, replicas] of before) {
    if (after.has(set)) continue;
    const instances = view?.instances.filter((i) => i.set === set) ?? [];
    const sts = instances.filter((i) => i.statefulSet).map((i) => i.name);
    const pvcs = instances.flatMap((i) => [i.pgdata, i.pgwal]).filter((p): p is KObject => Boolean(p)).map((p) => p.metadata.name);
    const primary = instances.find((i) => i.role === 'master');
    out.push({
      code: 'InstanceSetRemoved',
      severity: 'error',
      dataLoss: true,
      message:
        `DATA LOSS: removing instance set "${set}" (${replicas} replica${replicas === 1 ? '' : 's'}) makes PGO delete its StatefulSets` +
        `${sts.length ? ` (${sts.join(', ')})` : ''} AND their PersistentVolumeClaims${pvcs.length ? ` (${pvcs.join(', ')})` : ''}` +
        `${primary ? `; it holds the current primary ${primary.pod?.metadata.name ?? primary.name}` : ''}`,
    });
  }
  for (const [set, replicas] of after) {
    const was = before.get(set);
    if (was === undefined) {
      out.push({ code: 'InstanceSetAdded', severity: 'info', dataLoss: false, message: `adds instance set "${set}" with ${replicas} replica(s): PGO creates StatefulSets and new volumes` });
    } else if (replicas < was) {
      out.push({
        code: 'InstancesScaledDown',
        severity: 'warning',
        dataLoss: true,
        message: `lowers instance set "${set}" from ${was} to ${replicas}: PGO deletes ${was - replicas} instance(s) of that set together with their volumes`,
      });
    } else if (replicas > was) {
      out.push({ code: 'InstancesScaledUp', severity: 'info', dataLoss: false, message: `raises instance set "${set}" from ${was} to ${replicas}: PGO creates ${replicas - was} instance(s)` });
    }
  }

  const swAfter = predicted.spec?.patroni?.switchover;
  const armedAfter = switchoverArmed(predicted);
  if (armedAfter && !switchoverArmed(live)) {
    out.push({
      code: 'SwitchoverStarts',
      severity: 'warning',
      dataLoss: false,
      message: `enables the switchover while the trigger annotation "${predicted.metadata.annotations?.[LABEL.triggerSwitchover]}" is set and not yet completed: a switchover${swAfter?.targetInstance ? ` to ${swAfter.targetInstance}` : ''} starts at once`,
    });
  }
  if (swAfter?.enabled && sum(after) <= 1 && sum(before) > 1) {
    out.push({
      code: 'SwitchoverWillBlock',
      severity: 'error',
      dataLoss: false,
      message: `leaves ${sum(after)} instance while spec.patroni.switchover is enabled: a pending switchover makes PGO fail with "Need more than one instance to switchover" and skip every later step, instance creation included`,
    });
  }
  if (swAfter?.enabled && swAfter.targetInstance && view && !view.instances.some((i) => i.name === swAfter.targetInstance)) {
    out.push({
      code: 'SwitchoverTargetUnknown',
      severity: 'error',
      dataLoss: false,
      message: `sets switchover targetInstance "${swAfter.targetInstance}", which is not an instance of ${ref}: PGO would fail with "TargetInstance was specified but not found in the cluster"`,
    });
  }
  if (Boolean(predicted.spec?.paused) !== Boolean(live.spec?.paused)) {
    out.push({ code: predicted.spec?.paused ? 'Pauses' : 'Unpauses', severity: 'info', dataLoss: false, message: predicted.spec?.paused ? 'pauses reconciliation: PGO stops acting on this cluster' : 'resumes reconciliation' });
  }
  if (Boolean(predicted.spec?.shutdown) !== Boolean(live.spec?.shutdown)) {
    out.push({
      code: predicted.spec?.shutdown ? 'ShutsDown' : 'StartsUp',
      severity: predicted.spec?.shutdown ? 'warning' : 'info',
      dataLoss: false,
      message: predicted.spec?.shutdown ? 'shuts the cluster down: every instance StatefulSet scaled to 0 (volumes kept)' : 'starts the cluster up again',
    });
  }
  if (live.spec?.postgresVersion !== predicted.spec?.postgresVersion) {
    out.push({
      code: 'PostgresVersionChanged',
      severity: 'warning',
      dataLoss: false,
      message: `changes postgresVersion ${live.spec?.postgresVersion} -> ${predicted.spec?.postgresVersion}: a major upgrade goes through a PGUpgrade, not through this field alone`,
    });
  }
  return out.sort((a, b) => Number(b.dataLoss) - Number(a.dataLoss) || rank(a.severity) - rank(b.severity));
}

function rank(s: Severity): number {
  return s === 'error' ? 0 : s === 'warning' ? 1 : 2;
}

/** Findings the predicted state has that the current one does not (by code and subject). */
export function newFindings(current: Finding[], predicted: Finding[]): Finding[] {
  const seen = new Set(current.map((f) => `${f.code}\u0000${f.subject}`));
  return predicted.filter((f) => !seen.has(`${f.code}\u0000${f.subject}`));
}
