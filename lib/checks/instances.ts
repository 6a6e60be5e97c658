// Instance StatefulSets against spec.instances: missing ones (and whether PGO will bring them
// back, on which volume) and ones left over from sets removed from the spec.
import type { Finding, KObject } from '../model/types.ts';
import { LABEL } from '../model/types.ts';
import type { ClusterView, InstanceSetView } from '../view/cluster-view.ts';
import { disableSwitchover, heal, removeTrigger } from './commands.ts';
import { blockerOf, finding, plural, readable, type Check, type CheckContext } from './context.ts';

/** pgdata PVCs PGO will reuse for this set, in the order it picks them: no StatefulSet or pod
 *  uses the instance name, and a pgwal PVC exists too when the set asks for a WAL volume. */
export function reusablePvcs(v: ClusterView, set: InstanceSetView): KObject[] {
  if (!set.spec?.walVolumeClaimSpec) return set.orphanedPvcs;
  const withWal = new Set((v.pvcs ?? [])
    .filter((p) => p.metadata.labels?.[LABEL.role] === 'pgwal')
    .map((p) => p.metadata.labels?.[LABEL.instance]));
  return set.orphanedPvcs.filter((p) => withWal.has(p.metadata.labels?.[LABEL.instance]));
}

function unblockRemedy(v: ClusterView, blocker: Finding): string {
  switch (blocker.code) {
    case 'SwitchoverBlocked':
      return `Clear the pending switchover (${blocker.code}); PGO then recreates it within seconds:\n  ${disableSwitchover(v)}\n  ${removeTrigger(v)}\n` +
        `or run \`${heal(v)}\`.`;
    default:
      return `Resolve ${blocker.code} first; PGO then recreates it by itself. ${blocker.remedy}`;
  }
}

/** The operator's log for this cluster, from the operator Deployment found (never a placeholder). */
function operatorLogCommand(ctx: CheckContext, v: ClusterView): string {
  const d = ctx.snap.operator.deployments[0];
  if (d?.metadata.namespace) return `kubectl logs -n ${d.metadata.namespace} deployment/${d.metadata.name} | grep 'PostgresCluster=${v.namespace}/${v.name} '`;
  return `kubectl get pods -A -l ${LABEL.controlPlane} -o jsonpath='{range .items[*]}{.metadata.namespace} {.metadata.name}{"\\n"}{end}' | ` +
    `while read ns pod; do kubectl logs -n "$ns" "$pod" | grep 'PostgresCluster=${v.namespace}/${v.name} '; done`;
}

function missingInSet(ctx: CheckContext, v: ClusterView, set: InstanceSetView): Finding | undefined {
  const have = set.instances.length;
  const missing = set.desiredReplicas - have;
  if (missing <= 0) return undefined;

  // What PGO will create, in its order: StatefulSets for instances it still sees by their pod,
  // then the instance names remembered by unused pgdata PVCs, then fresh names and volumes.
  const podOnly = v.instances.filter((i) => i.set === set.name && !i.statefulSet).map((i) => i.name);
  const pvcsKnown = readable(v, 'persistentvolumeclaims');
  const reuse = pvcsKnown ? reusablePvcs(v, set) : [];
  const plan: Array<{ instance: string | null; pvc: string | null }> = [];
  for (const name of podOnly.slice(0, missing)) plan.push({ instance: name, pvc: `${name}-pgdata` });
  for (const p of reuse.slice(0, missing - plan.length)) {
    plan.push({ instance: p.metadata.labels?.[LABEL.instance] ?? null, pvc: p.metadata.name });
  }
  while (plan.length < missing) plan.push({ instance: null, pvc: null });

  const first = plan[0];
  const named = plan.filter((p) => p.instance).map((p) => p.instance!);
  const volumes = plan.map((p) => (p.pvc
    ? `${p.instance} on its existing volume ${p.pvc} (same name, same data)`
    : pvcsKnown ? 'a new instance with a fresh, empty volume (no unused pgdata PVC of this set is left)'
      : 'an instance whose volume could not be determined (PVCs were not readable)'));

  const blocker = blockerOf(ctx, v, 'reconcileInstanceSets');
  const subject = first.instance ? `StatefulSet/${first.instance}` : `PostgresCluster/${v.name}`;
  const what = named.length ? `${named.join(', ')} ${named.length === 1 ? 'is' : 'are'} missing` : `${plural(missing, 'instance')} missing`;
  const message = `Instance set ${set.name} has ${have} of ${set.desiredReplicas} instance StatefulSets: ${what}` +
    (first.pvc ? ` (pgdata PVC ${first.pvc} kept)` : '');
  const plans = `PGO will create ${volumes.join('; ')}.`;
  const detail = blocker
    ? `${plans} It cannot: ${blocker.code} stops every reconcile before the instance step` +
      (typeof blocker.data?.operatorError === 'string' ? ` (PGO logs "${blocker.data.operatorError}")` : ` (${blocker.message})`) +
      '. It stays missing until that is cleared.'
    : `${plans} Nothing visible stops it: PGO recreates missing instances on its next reconcile, usually within seconds.`;
  const remedy = blocker
    ? unblockRemedy(v, blocker)
    : `Wait a few seconds and check again. If it does not come back, read the operator's log:\n  ${operatorLogCommand(ctx, v)}`;
  return finding(v, {
    code: 'InstanceMissing',
    severity: 'error',
    subject,
    message,
    detail,
    remedy,
    blocking: blocker ? true : undefined,
    blockedBy: blocker?.code,
    data: {
      set: set.name,
      desired: set.desiredReplicas,
      observed: have,
      missing,
      reusePvc: first.pvc,
      instances: plan.map((p) => p.instance),
      pvcs: plan.map((p) => p.pvc),
    },
  });
}

function orphaned(ctx: CheckContext, v: ClusterView): Finding[] {
  const sets = v.sets.map((s) => s.name).join(', ') || 'none';
  return v.orphanedInstances.map((i) => {
    const pvcs = [i.pgdata, i.pgwal].filter((p): p is KObject => !!p).map((p) => p.metadata.name);
    if (i.statefulSet || i.pod) {
      const blocker = blockerOf(ctx, v, 'reconcileInstanceSets');
      return finding(v, {
        code: 'InstanceOrphaned',
        severity: 'warning',
        subject: i.statefulSet ? `StatefulSet/${i.statefulSet.metadata.name}` : `Pod/${i.pod!.metadata.name}`,
        message: `Instance ${i.name} belongs to set "${i.set}", which is no longer in spec.instances (sets: ${sets})`,
        detail: `PGO deletes the instances of removed sets, StatefulSet and pod first, then the instance's other objects${pvcs.length ? `; do not count on ${pvcs.join(', ')} staying` : ''}.` +
          (blocker ? ` It cannot while ${blocker.code} holds.` : '') + (i.role === 'master' ? ' This instance is the primary: Patroni fails over when it goes.' : ''),
        remedy: `If the set was removed by mistake, put it back in spec.instances before PGO deletes it. Otherwise let PGO remove it${pvcs.length ? `; copy anything you need from ${pvcs.join(', ')} first` : ''}.`,
        blockedBy: blocker?.code,
        data: { instance: i.name, set: i.set, statefulSet: i.statefulSet?.metadata.name ?? null, pvcs },
      });
    }
    return finding(v, {
      code: 'InstanceOrphaned',
      severity: 'warning',
      subject: `PersistentVolumeClaim/${i.pgdata!.metadata.name}`,
      message: `pgdata PVC ${i.pgdata!.metadata.name} of instance ${i.name} belongs to set "${i.set}", which is no longer in spec.instances (sets: ${sets})`,
      detail: 'PGO reuses a PVC only for the set named in its labels, and deletes only volumes of instances it still observes: this volume is neither used nor removed.',
      remedy: `If set "${i.set}" should come back, add it to spec.instances and PGO reuses the volume. If the data is not needed:\n  ${pvcs.map((p) => `kubectl delete pvc ${p} -n ${v.namespace}`).join('\n  ')}`,
      data: { instance: i.name, set: i.set, statefulSet: null, pvcs },
    });
  });
}

function run(ctx: CheckContext): Finding[] {
  const out: Finding[] = [];
  for (const v of ctx.views) {
    if (!readable(v, 'statefulsets', 'pods')) continue;
    if (!v.shutdown) {
      for (const set of v.sets) {
        const f = missingInSet(ctx, v, set);
        if (f) out.push(f);
      }
    }
    out.push(...orphaned(ctx, v));
  }
  return out;
}

export const instancesCheck: Check = { codes: ['InstanceMissing', 'InstanceOrphaned'], phase: 2, run };

