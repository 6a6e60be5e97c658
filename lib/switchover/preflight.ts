// Everything PGO or Patroni would refuse, checked before anything is touched. Pure: a refusal is
// data (code + line), and the caller exits 1 without writing.
import { LABEL, type Finding, type KObject } from '../model/types.ts';
import type { ClusterView, InstanceView } from '../view/cluster-view.ts';
import { unreadableCluster } from '../plan/heal.ts';
import { podNameOf, resolveTarget } from './resolve.ts';
import { blockingTag, memberTags, type Tags } from './tags.ts';
import type { Refusal, SwitchoverType } from './types.ts';

export interface PreflightInput {
  view: ClusterView;
  /** Every finding of the snapshot (the operator's have cluster null). */
  findings: Finding[];
  /** Pods of this cluster (to count running pods per instance). */
  pods: KObject[];
  to?: string;
  type: SwitchoverType;
  maxLagBytes?: number;
  /** Patroni tags from each instance's `<instance>-config` patroni.yaml, by instance name. */
  configTags?: Record<string, Tags | undefined>;
}

export interface PreflightResult {
  ok: boolean;
  refusals: Refusal[];
  target?: InstanceView;
  /** How the target was found, or why it was chosen. */
  choice?: string;
  /** The instance that is primary now, when there is one. */
  primary?: InstanceView;
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined) return 'unknown';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

function runningPods(inst: InstanceView, pods: KObject[]): KObject[] {
  return pods.filter(
    (p) => p.metadata.labels?.[LABEL.instance] === inst.name && !p.metadata.deletionTimestamp && p.status?.phase === 'Running',
  );
}

/** Problems that make this instance an invalid target, in the order a person fixes them. */
function targetProblems(inst: InstanceView, input: PreflightInput): Refusal[] {
  const out: Refusal[] = [];
  const n = inst.name;
  if (!inst.statefulSet) {
    out.push({ code: 'TargetNoStatefulSet', message: `target ${n} has no StatefulSet (only its volume is left): PGO would answer "TargetInstance was specified but not found in the cluster"` });
    return out;
  }
  if (inst.role === 'master') {
    out.push({
      code: 'TargetIsPrimary',
      message: `target ${n} is already the primary: patronictl switchover would fail on every reconcile and PGO would stay blocked (the incident this tool exists for)`,
    });
  } else if (inst.role !== 'replica') {
    out.push({ code: 'TargetNotReplica', message: `target ${n} is not a running Patroni replica (no role label on ${podNameOf(inst)})` });
  }
  const running = runningPods(inst, input.pods).length;
  if (running !== 1) {
    out.push({ code: 'TargetPodCount', message: `target ${n} has ${running} running pods; PGO needs exactly one ("TargetInstance should have one pod")` });
  }
  if (!inst.ready) out.push({ code: 'TargetNotReady', message: `target ${n} is not ready (pod ${podNameOf(inst)} ${inst.phase ?? 'missing'}, not Ready)` });
  const tag = blockingTag(memberTags(inst.pod)) ?? blockingTag(input.configTags?.[n]);
  if (tag) out.push({ code: 'TargetNoFailover', message: `target ${n} carries the Patroni tag ${tag}: Patroni will not promote it` });
  if (input.maxLagBytes !== undefined) {
    if (inst.lagBytes === undefined) {
      out.push({ code: 'TargetLagUnknown', message: `target ${n}: replication lag unknown (no Patroni member status), cannot honour --max-lag ${input.maxLagBytes}` });
    } else if (inst.lagBytes > input.maxLagBytes) {
      out.push({ code: 'TargetLagging', message: `target ${n} lags ${formatBytes(inst.lagBytes)} (${inst.lagBytes} bytes), above --max-lag ${input.maxLagBytes}` });
    }
  }
  return out;
}

export function preflight(input: PreflightInput): PreflightResult {
  const { view } = input;
  const where = `${view.namespace}/${view.name}`;
  const refusals: Refusal[] = [];
  for (const f of input.findings) {
    if (f.cluster === null && (f.code === 'OperatorMissing' || f.code === 'OperatorNotReady')) {
      refusals.push({ code: f.code, message: `${f.message}: nothing would act on the request` });
    }
  }
  const unreadable = unreadableCluster(view, input.findings);
  if (unreadable) refusals.push({ code: 'ClusterUnreadable', message: `${unreadable.message}: a switchover is requested only on a PostgresCluster read whole` });
  if (view.paused) refusals.push({ code: 'ClusterPaused', message: `${where} is paused (spec.paused: true): PGO would not act on the request` });
  if (view.shutdown) refusals.push({ code: 'ClusterShutdown', message: `${where} is shut down (spec.shutdown: true): there is no running primary to switch from` });
  if (view.switchover.pending) {
    refusals.push({
      code: 'SwitchoverPending',
      message: `a switchover is already pending on ${where} (trigger ${JSON.stringify(view.switchover.trigger)}, completed ${JSON.stringify(view.switchover.completed ?? '')}); wait for it, or cancel it with: kubectl pgo heal ${view.name} -n ${view.namespace}`,
    });
  }
  const withSts = view.instances.filter((i) => i.statefulSet);
  if (withSts.length < 2) {
    refusals.push({ code: 'TooFewInstances', message: `${where} has ${withSts.length} instance${withSts.length === 1 ? '' : 's'}; a switchover needs at least two (PGO: "Need more than one instance to switchover")` });
  }
  const primaries = view.instances.filter((i) => i.role === 'master');
  const primary = primaries.find((i) => podNameOf(i) === view.leader) ?? (primaries.length === 1 ? primaries[0] : undefined);
  if (input.type === 'Switchover' && !primary) {
    refusals.push({ code: 'NoPrimary', message: `${where} has no running primary: a switchover needs one; promote a replica with --type failover --to INSTANCE` });
  }
  if (input.type === 'Failover' && !input.to) {
    refusals.push({ code: 'FailoverNeedsTarget', message: 'a failover needs a target: --to INSTANCE (PGO: "TargetInstance required when running failover")' });
  }

  let target: InstanceView | undefined;
  let choice: string | undefined;
  if (input.to) {
    const r = resolveTarget(view, input.to);
    if ('refusal' in r) refusals.push(r.refusal);
    else {
      target = r.instance;
      choice = `--to ${input.to} (${r.how})`;
      refusals.push(...targetProblems(target, input));
    }
  } else if (input.type === 'Switchover' && withSts.length >= 2) {
    const judged = withSts.map((i) => ({ i, problems: targetProblems(i, input) }));
    const fit = judged.filter((j) => j.problems.length === 0).map((j) => j.i);
    fit.sort((a, b) => (a.lagBytes ?? Infinity) - (b.lagBytes ?? Infinity) || (a.name < b.name ? -1 : 1));
    if (fit.length === 0) {
      const why = judged.map((j) => `${j.i.name}: ${j.problems[0].message.replace(/^target \S+ /, '')}`).join('; ');
      refusals.push({ code: 'NoCandidate', message: `no replica of ${where} can take over (${why})` });
    } else {
      target = fit[0];
      const others = fit.slice(1).map((i) => `${i.name} ${formatBytes(i.lagBytes)}`);
      choice =
        fit.length === 1
          ? `chose ${target.name}: the only ready, running replica (lag ${formatBytes(target.lagBytes)})`
          : `chose ${target.name}: the ready, running replica with the least lag (${formatBytes(target.lagBytes)}; ${others.join(', ')})`;
    }
  }
  return { ok: refusals.length === 0, refusals, target, choice, primary };
}
