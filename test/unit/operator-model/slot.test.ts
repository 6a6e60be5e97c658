// The operator slot's pure parts: the install objects made from the fixtures' manager.yaml and
// rbac-role.yaml, the environment the operator process gets, and the work queue's back-off.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fixtureDir, installObjects, managerEnv } from '../../../scripts/sandbox/operator/install.ts';
import { WorkQueue } from '../../../scripts/sandbox/operator/model/queue.ts';
import { podTriggers } from '../../../scripts/sandbox/operator/model/controller.ts';
import { sharedDir, type Obj } from '../../helpers/operator.ts';

for (const crds of ['v5.8.9', 'v6.0.3']) {
  test(`${crds}: Deployment pgo in postgres-operator with the kustomize labels on it and its pod template`, () => {
    const objs = installObjects(fixtureDir(sharedDir, crds), crds);
    const dep = objs.find((o) => o.kind === 'Deployment') as Obj;
    assert.is(dep.metadata.name, 'pgo');
    assert.is(dep.metadata.namespace, 'postgres-operator');
    for (const labels of [dep.metadata.labels, dep.spec.template.metadata.labels]) {
      assert.is(labels['postgres-operator.crunchydata.com/control-plane'], 'postgres-operator');
      assert.is(labels['app.kubernetes.io/version'], crds.slice(1));
    }
    assert.equal(dep.spec.selector.matchLabels, { 'postgres-operator.crunchydata.com/control-plane': 'postgres-operator' });
    assert.is(dep.spec.template.spec.serviceAccountName, 'pgo');
    assert.equal(
      objs.map((o) => `${o.kind}/${o.metadata.name}`),
      ['Namespace/postgres-operator', 'ServiceAccount/pgo', 'ClusterRole/postgres-operator', 'ClusterRoleBinding/postgres-operator', 'Deployment/pgo'],
    );
  });

  test(`${crds}: the process environment is manager.yaml's, PGO_NAMESPACE resolved`, () => {
    const env = managerEnv(fixtureDir(sharedDir, crds));
    assert.is(env.PGO_NAMESPACE, 'postgres-operator');
    assert.is(env.PGO_INSTALLER, 'kustomize');
    assert.ok(env.RELATED_IMAGE_POSTGRES_16);
    assert.ok(env.RELATED_IMAGE_PGBACKREST);
  });
}

test('the queue backs off per key exponentially from 5 ms, and a success forgets', () => {
  const q = new WorkQueue();
  const delays = [0, 1, 2, 3, 4].map(() => q.addRateLimited('db/hippo'));
  assert.equal(delays, [5, 10, 20, 40, 80]);
  assert.is(q.addRateLimited('db/other'), 5, 'per key');
  q.forget('db/hippo');
  assert.is(q.addRateLimited('db/hippo'), 5);
});

test('the queue never hands out a key being processed; an event meanwhile queues it once more', async () => {
  const q = new WorkQueue();
  q.add('a');
  const k = await q.get();
  q.add('a');
  q.add('a');
  let got = false;
  void q.get().then(() => (got = true));
  await new Promise((r) => setTimeout(r, 10));
  assert.not.ok(got, 'not while processing');
  q.done(k);
  await new Promise((r) => setTimeout(r, 10));
  assert.ok(got, 'once after done');
});

test("PGO's pod watch: a pod that becomes primary or needs a restart triggers a reconcile; other changes do not", () => {
  const pod = (role?: string, status = '{}') => ({
    metadata: { name: 'p', labels: { 'postgres-operator.crunchydata.com/cluster': 'hippo', ...(role ? { 'postgres-operator.crunchydata.com/role': role } : {}) }, annotations: { status } },
  });
  assert.ok(podTriggers(pod('replica'), pod('master')));
  assert.not.ok(podTriggers(pod('master'), pod('replica')));
  assert.not.ok(podTriggers(pod('replica'), pod('replica', '{"state":"running"}')));
  assert.ok(podTriggers(pod('replica'), pod('replica', '{"pending_restart":true}')));
  assert.ok(podTriggers(pod(undefined, '{"role":"standby_leader"}'), pod(undefined, '{"role":"master"}')));
});

test.run();
