// The operator as a real install shows it: Deployment pgo in postgres-operator with the
// kustomize labels, and a pod that is Ready only while the operator process runs. Scaling to 0
// stops the process; the process dying makes the pod not Ready (and it is restarted).
// Needs `npm run sandbox -- up --operator` (model, or SANDBOX_OPERATOR=PATH).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { operatorPid, operatorPods, requireOperator } from '../../helpers/operator.ts';
import { apiOk, waitFor } from '../../helpers/sandbox.ts';

const DEP = '/apis/apps/v1/namespaces/postgres-operator/deployments/pgo';
const scale = (replicas: number) => apiOk('PATCH', `${DEP}/scale`, { spec: { replicas } }, { contentType: 'application/merge-patch+json' });

test.before(async () => {
  await requireOperator();
});

test.after(async () => {
  // Leave the operator running for whatever runs next.
  await scale(1);
  await requireOperator();
});

test('Deployment pgo carries the labels of the kustomize install, and so does its pod', async () => {
  const dep = await apiOk('GET', DEP);
  const want = { 'postgres-operator.crunchydata.com/control-plane': 'postgres-operator' };
  for (const labels of [dep.metadata.labels, dep.spec.template.metadata.labels]) {
    assert.is(labels['postgres-operator.crunchydata.com/control-plane'], want['postgres-operator.crunchydata.com/control-plane']);
    assert.match(labels['app.kubernetes.io/version'], /^\d+\.\d+\.\d+$/);
  }
  const env = Object.fromEntries(dep.spec.template.spec.containers[0].env.map((e: { name: string; value?: string }) => [e.name, e.value]));
  assert.is(env.PGO_INSTALLER, 'kustomize');
  assert.ok(env.RELATED_IMAGE_POSTGRES_16);
  const pods = await operatorPods();
  assert.is(pods.filter((p) => p.ready).length, 1);
  assert.ok(operatorPid(), 'the process runs');
});

test('scaled to 0: the process stops and no pod is left; scaled to 1: Ready again with a running process', async () => {
  const before = operatorPid();
  assert.ok(before);
  await scale(0);
  await waitFor('the operator process to stop', async () => operatorPid() === undefined, { timeoutMs: 60_000 });
  await waitFor('no operator pod', async () => (await operatorPods()).filter((p) => !p.deleting).length === 0, { timeoutMs: 60_000 });
  // The Deployment's status is the deployment controller's to write, on its own schedule.
  await waitFor('no ready replica in the Deployment\'s status while scaled to 0', async () => !(await apiOk('GET', DEP)).status?.readyReplicas, { timeoutMs: 30_000 });
  await scale(1);
  await waitFor('a Ready operator pod', async () => (await operatorPods()).some((p) => p.ready), { timeoutMs: 120_000 });
  const after = operatorPid();
  assert.ok(after && after !== before, 'a new process');
});

test('the process dies: the pod is not Ready until it runs again, and the restart is counted', async () => {
  const pid = operatorPid();
  assert.ok(pid);
  const restarts = (await operatorPods())[0].restarts;
  process.kill(pid, 'SIGKILL');
  await waitFor('the pod to turn not Ready', async () => (await operatorPods()).every((p) => !p.ready), { timeoutMs: 10_000, intervalMs: 100 });
  assert.is(operatorPid(), undefined, 'no process while not Ready');
  await waitFor('the pod Ready again', async () => (await operatorPods()).some((p) => p.ready), { timeoutMs: 60_000 });
  assert.ok(operatorPid(), 'a process runs while Ready');
  assert.is((await operatorPods())[0].restarts, restarts + 1);
});

test.run();
