// The switchover request (spec.patroni.switchover + the trigger annotation) and whether PGO's
// switchover step can carry it out. That step runs before every other step that changes the
// cluster, and its error skips all of them: a request that cannot succeed freezes the cluster.
import type { Finding } from '../model/types.ts';
import type { ClusterView, InstanceView } from '../view/cluster-view.ts';
import { containerRunning } from '../view/pods.ts';
import { disableSwitchover, heal, mergePatch, removeTrigger } from './commands.ts';
import { finding, readable, type Check, type CheckContext } from './context.ts';
import { confirmSwitchoverBlocked } from './operator-log.ts';

export type SwitchoverBlockReason =
  | 'TooFewInstances'
  | 'FailoverWithoutTarget'
  | 'TargetNotFound'
  | 'TargetPodCount'
  | 'NoRunningPod'
  | 'TargetIsPrimary'
  | 'NoCandidate';

export interface SwitchoverBlock {
  reason: SwitchoverBlockReason;
  /** What PGO logs on every reconcile, verbatim. */
  operatorError: string;
  /** One sentence with the names that make it fail. */
  why: string;
}

const isLeader = (v: ClusterView, i: InstanceView) =>
  i.role === 'master' || (!!v.leader && !!i.pod && i.pod.metadata.name === v.leader);

/** PGO's own tests, in PGO's order; the first that fails is the error it logs. */
export function switchoverBlock(v: ClusterView): SwitchoverBlock | undefined {
  const sw = v.switchover;
  const observed = v.instances; // StatefulSets plus pods without one, as PGO counts them
  if (observed.length <= 1) {
    return {
      reason: 'TooFewInstances',
      operatorError: 'Need more than one instance to switchover',
      why: observed.length === 0
        ? 'PGO observes no instance of the cluster'
        : `PGO observes only 1 instance (${observed[0].name})`,
    };
  }
  if (sw.type === 'Failover' && !sw.targetInstance) {
    return {
      reason: 'FailoverWithoutTarget',
      operatorError: 'TargetInstance required when running failover',
      why: 'spec.patroni.switchover.type is Failover but no targetInstance is set',
    };
  }
  const target = sw.targetInstance ? observed.find((i) => i.name === sw.targetInstance) : undefined;
  if (sw.targetInstance && !target) {
    return {
      reason: 'TargetNotFound',
      operatorError: 'TargetInstance was specified but not found in the cluster',
      why: `targetInstance ${sw.targetInstance} is not among the instances PGO observes (${observed.map((i) => i.name).join(', ')})`,
    };
  }
  const podCount = target?.pods?.length ?? (target?.pod ? 1 : 0);
  if (target && podCount !== 1) {
    return {
      reason: 'TargetPodCount',
      operatorError: `TargetInstance should have one pod. Pods (${podCount})`,
      why: `target instance ${target.name} has ${podCount} pods`,
    };
  }
  const running = observed.find((i) => (i.pods?.length ?? (i.pod ? 1 : 0)) === 1 && containerRunning(i.pod, 'database').running);
  if (!running) {
    return {
      reason: 'NoRunningPod',
      operatorError: 'Could not find a running pod when attempting switchover.',
      why: 'no instance pod has a running database container',
    };
  }
  const verb = sw.type === 'Failover' ? 'failover' : 'switchover --scheduled=now';
  if (target && isLeader(v, target)) {
    const pod = target.pod!.metadata.name;
    return {
      reason: 'TargetIsPrimary',
      operatorError: `patronictl ${verb} --force --candidate=${pod}: exit status 1`,
      why: `target instance ${target.name} is already the primary (pod ${pod}), so Patroni refuses to switch over to it`,
    };
  }
  if (!target && !observed.some((i) => !isLeader(v, i) && i.role === 'replica' && i.ready)) {
    return {
      reason: 'NoCandidate',
      // PGO passes --candidate= even when no target is named.
      operatorError: `patronictl ${verb} --force --candidate=: exit status 1`,
      why: 'no ready replica is there for Patroni to switch over to',
    };
  }
  return undefined;
}

const STOPS =
  'In every reconcile PGO runs its switchover step before the steps that create missing instances, ' +
  'users, backups and pgBouncer; an error there skips all of them, so nothing else in this cluster converges ' +
  'until the request is cancelled or can succeed. PGO emits no Event and sets no condition for it: only its log shows ' +
  '"Reconciler error" with this message on every reconcile.';

function blockedRemedy(v: ClusterView, b: SwitchoverBlock): string {
  const cancel = `Cancel the request - disable it and drop the trigger:\n  ${disableSwitchover(v)}\n  ${removeTrigger(v)}\n` +
    `or run \`${heal(v)}\`, which plans and applies the same. PGO resumes on its next reconcile and recreates missing instances on their old volumes.`;
  const others = v.instances.filter((i) => !isLeader(v, i)).map((i) => i.name);
  switch (b.reason) {
    case 'TargetIsPrimary':
      return `Nothing needs to move: ${v.switchover.targetInstance} is already primary. ${cancel}`;
    case 'TargetNotFound':
    case 'FailoverWithoutTarget':
      return `${cancel}\nOr, to keep the request, name an instance that exists` +
        (others.length ? `, e.g.:\n  ${mergePatch(v, { spec: { patroni: { switchover: { targetInstance: others[0] } } } })}` : '.');
    default:
      return cancel;
  }
}

/** This check's findings for one cluster, before the operator's log is consulted. */
export function switchoverFindings(v: ClusterView): Finding[] {
  const sw = v.switchover;
  const subject = `PostgresCluster/${v.name}`;
  const data = { trigger: sw.trigger, completed: sw.completed ?? null, targetInstance: sw.targetInstance ?? null, type: sw.type };
  const out: Finding[] = [];

  if (sw.pending) {
    const canJudge = readable(v, 'statefulsets', 'pods');
    const b = canJudge ? switchoverBlock(v) : undefined;
    const leaderInst = v.instances.find((i) => isLeader(v, i));
    const timelineMoved = sw.timeline !== undefined && leaderInst?.timeline !== undefined && leaderInst.timeline !== sw.timeline;
    if (b && !(timelineMoved && b.reason !== 'TooFewInstances')) {
      out.push(finding(v, {
        code: 'SwitchoverBlocked',
        severity: 'error',
        subject,
        message: `PGO's switchover step fails every reconcile: "${b.operatorError}" (${sw.type.toLowerCase()}${sw.targetInstance ? ` to ${sw.targetInstance}` : ''}, trigger "${sw.trigger}")`,
        detail: `${b.why}, so PGO's switchover step returns "${b.operatorError}". ${STOPS}`,
        remedy: blockedRemedy(v, b),
        blocking: true,
        data: { ...data, operatorError: b.operatorError, reason: b.reason, observedInstances: v.instances.map((i) => i.name) },
      }));
    } else {
      const target = sw.targetInstance ? ` to ${sw.targetInstance}` : '';
      out.push(finding(v, {
        code: 'SwitchoverPending',
        severity: 'warning',
        subject,
        message: `${sw.type}${target} requested (trigger "${sw.trigger}") is not completed yet (status.patroni.switchover: ${sw.completed ? `"${sw.completed}"` : 'unset'})`,
        detail: (timelineMoved
          ? `The timeline moved from ${sw.timeline} to ${leaderInst!.timeline} since PGO started this request; PGO will mark it completed without checking that the target became primary. Verify by the leader, not by the status. `
          : canJudge ? 'Nothing visible stops PGO from carrying it out; it usually completes within seconds. '
            : 'The instances could not be read, so whether PGO can carry it out is unknown. ') +
          'While it is pending, PGO runs the switchover step first in every reconcile; if that step fails, every later step is skipped.',
        remedy: `Wait a few seconds and check again; if it stays pending, read the operator log for "reconcilePatroniSwitchover". To cancel it:\n  ${disableSwitchover(v)}\n  ${removeTrigger(v)}`,
        data,
      }));
    }
  } else if (sw.enabled && sw.trigger && sw.completed === sw.trigger) {
    out.push(finding(v, {
      code: 'SwitchoverLeftEnabled',
      severity: 'warning',
      subject,
      message: `Switchover "${sw.trigger}" completed but spec.patroni.switchover is still enabled and the trigger annotation is still set`,
      detail: 'A loaded gun: whenever PGO clears status.patroni.switchover (the request is disabled and later re-enabled, or the status is lost), ' +
        'the old annotation starts a switchover nobody asked for; if that request cannot succeed, the switchover step blocks every later reconcile step ' +
        '(instances, users, backups, pgBouncer). The maintainers advise disabling switchover after use.',
      remedy: `Disable it and drop the annotation:\n  ${disableSwitchover(v)}\n  ${removeTrigger(v)}\nor run \`${heal(v)}\`.`,
      data,
    }));
    const target = sw.targetInstance ? v.instances.find((i) => i.name === sw.targetInstance) : undefined;
    if (target && v.leader && target.pod && target.pod.metadata.name !== v.leader) {
      out.push(finding(v, {
        code: 'SwitchoverNotEffective',
        severity: 'warning',
        subject,
        message: `Switchover "${sw.trigger}" is marked completed but the leader is ${v.leader}, not the target ${target.name}`,
        detail: 'PGO marks a pending switchover completed when the timeline moved for any reason (a crash and restart), without checking that the target became primary.',
        remedy: `If ${target.name} should be primary, request a new switchover (\`kubectl pgo switchover ${v.name} -n ${v.namespace}\`, see its --help); otherwise disable the request:\n  ${disableSwitchover(v)}\n  ${removeTrigger(v)}`,
        data: { ...data, leader: v.leader },
      }));
    }
  } else if (!sw.enabled && sw.trigger) {
    out.push(finding(v, {
      code: 'SwitchoverTriggerLeft',
      severity: 'info',
      subject,
      message: `Trigger annotation "${sw.trigger}" is still set while switchover is disabled`,
      detail: 'Enabling spec.patroni.switchover later (for any reason) starts a switchover with this old trigger at once.',
      remedy: `Drop the annotation:\n  ${removeTrigger(v)}`,
      data,
    }));
  }
  return out;
}

export const switchoverCheck: Check = {
  codes: ['SwitchoverBlocked', 'SwitchoverPending', 'SwitchoverLeftEnabled', 'SwitchoverNotEffective', 'SwitchoverTriggerLeft'],
  phase: 1,
  run: (ctx: CheckContext) => ctx.views.flatMap((v) => confirmSwitchoverBlocked(switchoverFindings(v), ctx.snap, v)),
};
