// Whether a switchover happened, judged by Patroni's own records (leader annotation and role
// labels) as well as PGO's status: PGO may set status.patroni.switchover to the trigger when the
// timeline moved for another reason, with the old primary still leading.
import type { ClusterView } from '../view/cluster-view.ts';
import { podNameOf } from './resolve.ts';

export interface SwitchoverState {
  /** status.patroni.switchover equals the trigger we set. */
  statusDone: boolean;
  leader?: string;
  leaderIsTarget: boolean;
  /** The target's pod carries the leader role label. */
  targetLabelled: boolean;
  /** Other pods still labelled leader. */
  otherLeaders: string[];
  done: boolean;
  /** One progress line for a person. */
  line: string;
}

export function switchoverState(view: ClusterView, trigger: string, targetInstance: string): SwitchoverState {
  const target = view.instances.find((i) => i.name === targetInstance);
  const targetPod = target ? podNameOf(target) : `${targetInstance}-0`;
  const completed = view.object.status?.patroni?.switchover as string | undefined;
  const statusDone = completed === trigger;
  const leader = view.leader;
  const leaderIsTarget = leader === targetPod;
  const targetLabelled = target?.role === 'master';
  const otherLeaders = view.instances.filter((i) => i.name !== targetInstance && i.role === 'master').map(podNameOf);
  const done = statusDone && leaderIsTarget && targetLabelled && otherLeaders.length === 0;
  let line: string;
  if (done) line = `done: ${targetPod} is the leader, role labels agree, status.patroni.switchover = trigger`;
  else if (!statusDone && !leaderIsTarget) line = `waiting: PGO has not completed the switchover yet (leader ${leader ?? 'none'}, status.patroni.switchover ${JSON.stringify(completed ?? '')})`;
  else if (!statusDone) line = `waiting: ${targetPod} leads now; PGO has not recorded the switchover yet`;
  else if (!leaderIsTarget) line = `waiting: status.patroni.switchover says done but the leader is still ${leader ?? 'none'} (not trusting the status alone)`;
  else line = `waiting: ${targetPod} leads; role labels not settled yet (${target?.role ?? 'no role'} on ${targetPod}${otherLeaders.length ? `, leader label still on ${otherLeaders.join(', ')}` : ''})`;
  return { statusDone, leader, leaderIsTarget, targetLabelled, otherLeaders, done, line };
}
