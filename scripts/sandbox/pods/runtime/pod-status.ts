// What the kubelet would report for a database pod, from the database the runtime really runs:
// the readiness probe (the pod's own httpGet path on Patroni's REST API), Ready/ContainersReady,
// and the database container's state and restart count. kwok only makes pods Ready once, when
// they leave Pending, so these writes are not undone.
import { PatchStrategy, type Kube, type KObj } from '../../kube/client.ts';
import { Database } from './database.ts';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export async function syncPodStatus(kube: Kube, pod: KObj, container: any, db: Database): Promise<void> {
  const probePath: string = container.readinessProbe?.httpGet?.path ?? '/readiness';
  const running = db.state === 'running' && db.patroniPid !== undefined;
  const ready = running && (await db.probe(probePath)) === 200;
  const statuses: any[] = pod.status?.containerStatuses ?? [];
  const cur = statuses.find((c) => c.name === container.name);
  const cond = (pod.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  const wantState = running
    ? { running: { startedAt: iso(db.startedAt) } }
    : { waiting: { reason: 'CrashLoopBackOff', message: `back-off restarting failed container ${container.name} in pod ${pod.metadata.name}` } };
  const same = cur && cur.ready === ready && (cur.restartCount ?? 0) === db.restarts &&
    (running ? cur.state?.running?.startedAt === wantState.running!.startedAt : !!cur.state?.waiting) &&
    (cond?.status === 'True') === (ready && statuses.every((c) => c.name === container.name || c.ready));
  if (same) return;
  const next = statuses.map((c) => c.name !== container.name ? c : {
    ...c,
    ready,
    started: running,
    restartCount: db.restarts,
    state: wantState,
    ...(db.lastExitAt ? { lastState: { terminated: { exitCode: 137, reason: 'Error', finishedAt: iso(db.lastExitAt) } } } : {}),
  });
  const allReady = next.every((c) => c.ready);
  const now = iso(Date.now());
  const notReady = next.filter((c) => !c.ready).map((c) => c.name).join(' ');
  const condition = (type: string) => ({
    type,
    status: allReady ? 'True' : 'False',
    lastTransitionTime: now,
    ...(allReady ? {} : { reason: 'ContainersNotReady', message: `containers with unready status: [${notReady}]` }),
  });
  const conditions = (pod.status?.conditions ?? []).map((c: any) =>
    (c.type === 'Ready' || c.type === 'ContainersReady') ? ((c.status === 'True') === allReady ? c : condition(c.type)) : c);
  await kube.patch(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`,
    { status: { conditions, containerStatuses: next } }, PatchStrategy.MergePatch);
}
