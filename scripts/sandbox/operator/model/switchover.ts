// PGO's switchover step (reconcilePatroniSwitchover): the same checks in the same order, the same
// error strings, the same exec of patronictl, and the same timeline rule. It runs before the
// instance step; any error it returns skips every later step of the reconcile.
import type { Instance, Observed } from './instances.ts';
import { isRunning } from './instances.ts';
import { ANNOTATION_TRIGGER_SWITCHOVER, CONTAINER_DATABASE } from './naming.ts';
import type { ClusterSpec } from './spec.ts';
import type { Logger } from './log.ts';
import { at, PgoError, withStack } from './errors.ts';
import { ExecError } from './exec.ts';

// patroni.go lines of v5.8.9: 482 and 595 as the recorded log shows them, the others counted from
// the nearest stored source relative to those two (may be off by one).
const SITE = (line: number) => at('patroni.go', line, 'reconcilePatroniSwitchover');

export interface ExecResult {
  stdout: string;
  stderr: string;
}
/** Runs a command in a pod's container; rejects with the API's error message when it fails. */
export type PodExec = (namespace: string, pod: string, container: string, command: string[]) => Promise<ExecResult>;

export interface PatroniStatus {
  systemIdentifier?: string;
  switchover?: string;
  switchoverTimeline?: number;
}

/** patronictl list --format json -> the running Leader's timeline; 0 when there is none. */
export async function getTimeline(exec: (cmd: string[]) => Promise<ExecResult>): Promise<number> {
  const { stdout, stderr } = await exec(['patronictl', 'list', '--format', 'json']);
  if (stderr !== '') throw new Error(stderr);
  const members = JSON.parse(stdout) as Array<{ Role?: string; State?: string; TL?: number }>;
  for (const m of members) if (m.Role === 'Leader' && m.State === 'running') return Number(m.TL ?? 0);
  return 0;
}

export async function reconcileSwitchover(c: ClusterSpec, patroni: PatroniStatus, observed: Observed, podExec: PodExec, log: Logger): Promise<void> {
  const spec = c.patroni.switchover;
  if (!spec || !spec.enabled) {
    delete patroni.switchover;
    delete patroni.switchoverTimeline;
    return;
  }
  const annotation = c.annotations[ANNOTATION_TRIGGER_SWITCHOVER] ?? '';
  if (annotation === '' || (patroni.switchover !== undefined && patroni.switchover === annotation)) {
    delete patroni.switchoverTimeline;
    return;
  }
  if (observed.forCluster.length <= 1) throw new PgoError('Need more than one instance to switchover', SITE(482));
  if (spec.type === 'Failover' && !spec.targetInstance) throw new PgoError('TargetInstance required when running failover', SITE(489));

  let target: Instance | undefined;
  if (spec.targetInstance) {
    for (const i of observed.forCluster) if (i.name === spec.targetInstance) target = i;
    if (!target) throw new PgoError('TargetInstance was specified but not found in the cluster', SITE(504));
    if (target.pods.length !== 1) throw new PgoError(`TargetInstance should have one pod. Pods (${target.pods.length})`, SITE(508));
  } else {
    log.debug('TargetInstance not provided');
  }

  // Any instance with a running database container serves to run patronictl (not necessarily the primary).
  const running = observed.forCluster.find((i) => isRunning(i, CONTAINER_DATABASE) === true && i.pods.length === 1);
  if (!running) throw new PgoError('Could not find a running pod when attempting switchover.', SITE(526));
  const pod = running.pods[0];
  const exec = (cmd: string[]) => podExec(pod.metadata.namespace ?? c.namespace, pod.metadata.name, CONTAINER_DATABASE, cmd);

  const timeline = await getTimeline(exec);
  if (timeline === 0) throw new PgoError('error getting and parsing current timeline', SITE(546));

  if (!patroni.switchoverTimeline) {
    log.debug('Setting SwitchoverTimeline', { timeline: String(timeline) });
    patroni.switchoverTimeline = timeline;
    return;
  }
  if (patroni.switchoverTimeline !== timeline) {
    // PGO trusts a moved timeline as proof, even if the target never became primary.
    log.debug('SwitchoverTimeline does not match current timeline, assuming already completed switchover');
    patroni.switchover = annotation;
    delete patroni.switchoverTimeline;
    return;
  }

  const next = target ? target.pods[0].metadata.name : '';
  const failover = spec.type === 'Failover';
  const cmd = failover
    ? ['patronictl', 'failover', '--force', `--candidate=${next}`]
    : ['patronictl', 'switchover', '--scheduled=now', '--force', `--candidate=${next}`];
  // The exec error is wrapped where PGO wraps it; its own text (the API's) is kept verbatim.
  let out: ExecResult;
  try {
    out = await exec(cmd);
  } catch (e) {
    // PGO's SwitchoverAndWait logs what patronictl wrote before it returns the exec's error.
    if (e instanceof ExecError) log.debug('changed primary', { stdout: e.stdout, stderr: e.stderr });
    throw withStack(e, SITE(595));
  }
  const { stdout, stderr } = out;
  log.debug('changed primary', { stdout, stderr });
  if (!stdout.includes(failover ? 'failed over' : 'switched over')) throw new PgoError('unable to switchover', SITE(596));
  patroni.switchover = annotation;
  delete patroni.switchoverTimeline;
}
