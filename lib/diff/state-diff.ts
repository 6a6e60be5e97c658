// Desired (the spec) against actual (the objects) for one cluster, each difference tied to the
// finding that explains it and to whether PGO will converge by itself. Pure.
import { findingsAbout, findingsAboutNone } from '../model/by-cluster.ts';
import type { Finding } from '../model/types.ts';
import type { ClusterView, InstanceSetView } from '../view/cluster-view.ts';

export type Convergence = 'converging' | 'blocked' | 'not-by-itself';

export interface StateDifference {
  /** What part of the cluster, e.g. "instance set instance1", "switchover". */
  aspect: string;
  field: string;
  desired: string;
  actual: string;
  /** Code of the finding that explains it, when one does. */
  finding?: string;
  convergence: Convergence;
  /** Why it converges or not, in a few words. */
  because: string;
}

export interface ClusterStateDiff {
  namespace: string;
  name: string;
  differences: StateDifference[];
}

function findingFor(findings: Finding[], code: string, set?: string): Finding | undefined {
  return findings.find((f) => f.code === code && (set === undefined || f.data?.set === undefined || f.data.set === set));
}

function convergenceOf(f: Finding | undefined, blockers: Finding[]): Pick<StateDifference, 'convergence' | 'because' | 'finding'> {
  if (f?.blockedBy) return { finding: f.code, convergence: 'blocked', because: `blocked by ${f.blockedBy}` };
  if (f?.blocking) return { finding: f.code, convergence: 'blocked', because: 'PGO cannot act while this holds' };
  const blocker = blockers.find((b) => b !== f);
  if (blocker) return { finding: f?.code, convergence: 'blocked', because: `blocked by ${blocker.code}` };
  return { finding: f?.code, convergence: 'converging', because: 'PGO will converge by itself' };
}

function readyCount(set: InstanceSetView): number {
  return set.instances.filter((i) => i.ready).length;
}

export function stateDiff(view: ClusterView, findings: Finding[]): ClusterStateDiff {
  const mine = findingsAbout(findings, view);
  const blockers = [...findingsAboutNone(findings), ...mine].filter((f) => f.blocking);
  const out: StateDifference[] = [];

  for (const set of view.sets) {
    const desired = view.shutdown ? 0 : set.desiredReplicas;
    const sts = set.instances.length;
    const ready = readyCount(set);
    const aspect = `instance set ${set.name}`;
    if (sts !== desired) {
      const missing = findingFor(mine, 'InstanceMissing', set.name);
      const reuse = set.orphanedPvcs.map((p) => p.metadata.name);
      out.push({
        aspect,
        field: 'instances',
        desired: `${desired} StatefulSet${desired === 1 ? '' : 's'}`,
        actual: `${sts} (${set.instances.map((i) => i.name).join(', ') || 'none'})${reuse.length ? `; PVC to reuse: ${reuse.join(', ')}` : ''}`,
        ...convergenceOf(missing, blockers),
      });
    }
    if (ready !== desired && sts === desired) {
      const notReady = mine.find((f) => ['PodNotReady', 'PodPending', 'ContainerCrashLooping'].includes(f.code));
      out.push({ aspect, field: 'ready pods', desired: String(desired), actual: String(ready), ...convergenceOf(notReady, blockers) });
    }
  }

  for (const inst of view.orphanedInstances) {
    const f = findingFor(mine, 'InstanceOrphaned');
    const what = [inst.statefulSet ? `StatefulSet ${inst.name}` : '', inst.pgdata ? `PVC ${inst.pgdata.metadata.name}` : '']
      .filter(Boolean)
      .join(' + ');
    out.push({
      aspect: `instance set ${inst.set} (not in spec)`,
      field: 'instance',
      desired: 'absent',
      actual: what || inst.name,
      ...convergenceOf(f, blockers),
    });
  }

  const sw = view.switchover;
  if (sw.pending) {
    const f = findingFor(mine, 'SwitchoverBlocked') ?? findingFor(mine, 'SwitchoverPending');
    out.push({
      aspect: 'switchover',
      field: 'trigger',
      desired: `${sw.type}${sw.targetInstance ? ` to ${sw.targetInstance}` : ''} (trigger ${JSON.stringify(sw.trigger ?? '')})`,
      actual: sw.completed ? `last completed ${JSON.stringify(sw.completed)}` : 'none completed',
      ...(f?.code === 'SwitchoverBlocked'
        ? { finding: f.code, convergence: 'blocked' as const, because: `PGO's switchover step fails on every reconcile${f.data?.operatorError ? `: ${String(f.data.operatorError)}` : ''}` }
        : convergenceOf(f, blockers)),
    });
  } else if (sw.enabled && sw.trigger) {
    const f = findingFor(mine, 'SwitchoverLeftEnabled');
    if (f) {
      out.push({
        aspect: 'switchover',
        field: 'enabled',
        desired: 'disabled after use, no trigger annotation',
        actual: `enabled, trigger ${JSON.stringify(sw.trigger)} still set`,
        finding: f.code,
        convergence: 'not-by-itself',
        because: 'PGO leaves it as it is; run kubectl pgo heal',
      });
    }
  }

  if (view.paused) {
    const f = findingFor(mine, 'ReconcilePaused');
    out.push({ aspect: 'reconcile', field: 'paused', desired: 'reconciling', actual: 'paused', finding: f?.code, convergence: 'not-by-itself', because: 'paused on purpose? unpause to resume' });
  }

  if (view.shutdown) {
    const running = view.instances.filter((i) => i.pod && i.phase === 'Running').length;
    if (running > 0) {
      out.push({ aspect: 'shutdown', field: 'running pods', desired: '0', actual: String(running), ...convergenceOf(undefined, blockers) });
    }
  }

  const spec = view.object.spec ?? {};
  const bouncer = spec.proxy?.pgBouncer;
  if (bouncer) {
    const want = view.shutdown ? 0 : (bouncer.replicas ?? 1);
    const have = view.pgBouncer?.status?.availableReplicas ?? 0;
    if (!view.pgBouncer || have !== want) {
      out.push({
        aspect: 'pgBouncer',
        field: 'available replicas',
        desired: String(want),
        actual: view.pgBouncer ? String(have) : 'no Deployment',
        ...convergenceOf(findingFor(mine, 'PgBouncerUnavailable'), blockers),
      });
    }
  }
  const volumeRepo = (spec.backups?.pgbackrest?.repos ?? []).some((r: { volume?: unknown }) => r.volume);
  if (volumeRepo && !view.repoHost) {
    out.push({
      aspect: 'pgBackRest',
      field: 'repo host',
      desired: `StatefulSet ${view.name}-repo-host`,
      actual: 'absent',
      ...convergenceOf(findingFor(mine, 'RepoHostMissing'), blockers),
    });
  }

  return { namespace: view.namespace, name: view.name, differences: out };
}
