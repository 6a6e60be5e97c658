// Pods of the cluster as kubelet reports them: stuck Pending, running but not Ready, crash-looping.
// Pods of Jobs are left to BackupFailing; finished pods are history.
import type { CheckOptions, Finding, KObject } from '../model/types.ts';
import { LABEL } from '../model/types.ts';
import type { ClusterView } from '../view/cluster-view.ts';
import { isPodReady } from '../view/pods.ts';
import { describe, logs } from './commands.ts';
import { finding, readable, type Check } from './context.ts';

/** A pod younger than this may simply be starting. */
const PENDING_GRACE_MS = 60_000;
/** Restarts this recent, this many, count as a crash loop even between back-offs. */
const CRASH_RESTARTS = 3;
const CRASH_WINDOW_MS = 10 * 60_000;

interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string; message?: string }; running?: unknown; terminated?: { reason?: string; exitCode?: number } };
  lastState?: { terminated?: { reason?: string; exitCode?: number; finishedAt?: string } };
}

const statuses = (p: KObject): ContainerStatus[] => [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];

function crashLooping(c: ContainerStatus, now: Date): boolean {
  if (c.state?.waiting?.reason === 'CrashLoopBackOff') return true;
  const last = c.lastState?.terminated;
  if (!last || (c.restartCount ?? 0) < CRASH_RESTARTS) return false;
  const at = last.finishedAt ? Date.parse(last.finishedAt) : NaN;
  return Number.isFinite(at) && now.getTime() - at < CRASH_WINDOW_MS;
}

const ageMs = (p: KObject, now: Date) => {
  const t = p.metadata.creationTimestamp ? Date.parse(p.metadata.creationTimestamp) : NaN;
  return Number.isFinite(t) ? now.getTime() - t : Infinity;
};

function checkPod(v: ClusterView, p: KObject, opts: CheckOptions): Finding[] {
  const name = p.metadata.name;
  const ns = v.namespace;
  const isInstance = !!p.metadata.labels?.[LABEL.instance];
  const phase = p.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed' || (p.metadata.ownerReferences ?? []).some((o) => o.kind === 'Job')) return [];
  const out: Finding[] = [];

  for (const c of statuses(p)) {
    if (!crashLooping(c, opts.now)) continue;
    const last = c.lastState?.terminated;
    const why = [c.state?.waiting?.reason, last ? `last exit ${last.reason ?? 'terminated'} (code ${last.exitCode ?? '?'})` : undefined].filter(Boolean).join(', ');
    out.push(finding(v, {
      code: 'ContainerCrashLooping',
      severity: isInstance && c.name === 'database' ? 'error' : 'warning',
      subject: `Pod/${name}`,
      message: `Container ${c.name} of pod ${name} is crash-looping: ${why || 'restarting'}, ${c.restartCount ?? 0} restarts`,
      detail: isInstance && c.name === 'database'
        ? 'Patroni and PostgreSQL run in this container: the instance is down between restarts and cannot serve or replicate.'
        : 'The pod cannot do its work while the container keeps restarting.',
      remedy: `Read why it exits:\n  ${logs(name, ns, c.name, true)}\n  ${describe('pod', name, ns)}`,
      data: { pod: name, container: c.name, reason: c.state?.waiting?.reason ?? last?.reason ?? null, restarts: c.restartCount ?? 0, exitCode: last?.exitCode ?? null },
    }));
  }

  if (phase === 'Pending' && ageMs(p, opts.now) >= PENDING_GRACE_MS && !p.metadata.deletionTimestamp) {
    const sched = (p.status?.conditions ?? []).find((c: { type?: string; status?: string }) => c.type === 'PodScheduled' && c.status === 'False');
    const waiting = statuses(p).map((c) => c.state?.waiting?.reason).filter((r): r is string => !!r && r !== 'PodInitializing');
    const reason = sched ? `${sched.reason ?? 'Unschedulable'}: ${sched.message ?? ''}`.trim() : waiting.length ? waiting.join(', ') : 'not started';
    out.push(finding(v, {
      code: 'PodPending',
      severity: 'warning',
      subject: `Pod/${name}`,
      message: `Pod ${name} is Pending: ${reason}`,
      detail: isInstance ? 'This instance is not running: the cluster has one member less.' : 'The component this pod runs is not available.',
      remedy: `See the scheduler's and kubelet's reasons:\n  ${describe('pod', name, ns)}`,
      data: { pod: name, reason: sched?.reason ?? waiting[0] ?? null, scheduled: !sched },
    }));
  } else if (phase === 'Running' && !isPodReady(p) && !p.metadata.deletionTimestamp && out.length === 0) {
    const notReady = (p.status?.containerStatuses ?? []).filter((c: ContainerStatus) => !c.ready).map((c: ContainerStatus) => c.name);
    out.push(finding(v, {
      code: 'PodNotReady',
      severity: 'warning',
      subject: `Pod/${name}`,
      message: `Pod ${name} is Running but not Ready` + (notReady.length ? ` (containers not ready: ${notReady.join(', ')})` : ''),
      detail: isInstance
        ? 'Its readiness probe asks Patroni; a member that is starting, recovering or cannot reach the leader stays out of the Services.'
        : 'It receives no traffic from its Services until it is Ready.',
      remedy: `Look at its events and log:\n  ${describe('pod', name, ns)}\n  ${logs(name, ns, isInstance ? 'database' : undefined)}`,
      data: { pod: name, containers: notReady },
    }));
  }
  return out;
}

export const podsCheck: Check = {
  codes: ['ContainerCrashLooping', 'PodPending', 'PodNotReady'],
  phase: 2,
  run: (ctx) => ctx.views.flatMap((v) => (readable(v, 'pods') ? (v.pods ?? []).flatMap((p) => checkPod(v, p, ctx.opts)) : [])),
};
