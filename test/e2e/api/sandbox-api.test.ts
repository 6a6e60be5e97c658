// The sandbox is a real Kubernetes API: CRD schema validation, dry run, optimistic concurrency,
// RBAC and status subresources behave as on a production cluster. These tests pin that down
// independently of the plugin, so a broken sandbox is told apart from a broken plugin.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KObject } from '../../../lib/model/types.ts';
import { clusterPath, shapeCluster, collectionPath } from '../../helpers/pgo-cluster.ts';
import { readRules, userWithRules } from '../../helpers/rbac.ts';
import { api, apiOk, createNamespace, deleteNamespace, kubectl, pgoCrds, uniqueName } from '../../helpers/sandbox.ts';
import { assertNoPluginWrite, pluginWrites } from '../../helpers/plugin-writes.ts';
import { FIELD_MANAGER } from '../../../lib/kube/client.ts';

const ns = uniqueName('e2e-sandbox-api');
const version = pgoCrds();
const GROUP = 'postgres-operator.crunchydata.com';
const merge = { contentType: 'application/merge-patch+json' };

/** A PostgresCluster from the recording, renamed, without status. */
function pgcBody(name: string): KObject {
  const c = shapeCluster(version, ns, name);
  const pg = structuredClone(c.objects.find((o) => o.kind === 'PostgresCluster')!);
  delete pg.status;
  return pg;
}

test.before(async () => {
  await createNamespace(ns);
});

test.after(async () => {
  await deleteNamespace(ns);
});

test(`the PGO ${version} CRDs are Established and serve the expected versions`, async () => {
  const crd = await apiOk<KObject>('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/postgresclusters.${GROUP}`);
  const established = crd.status.conditions.find((c: { type: string }) => c.type === 'Established');
  assert.is(established?.status, 'True');
  const served = crd.spec.versions.filter((v: { served: boolean }) => v.served).map((v: { name: string }) => v.name).sort();
  assert.equal(served, version === 'v6.0.3' ? ['v1', 'v1beta1'] : ['v1beta1']);
  const group = await apiOk<{ preferredVersion: { version: string } }>('GET', `/apis/${GROUP}`);
  assert.is(group.preferredVersion.version, version === 'v6.0.3' ? 'v1' : 'v1beta1');
});

test('a new namespace comes with its default ServiceAccount, so pods can be created', async () => {
  const sa = await api('GET', `/api/v1/namespaces/${ns}/serviceaccounts/default`);
  assert.is(sa.status, 200);
  const pod = await api('POST', `/api/v1/namespaces/${ns}/pods`, {
    metadata: { name: 'probe' },
    spec: { containers: [{ name: 'c', image: 'registry.example/none:1' }] },
  });
  assert.is(pod.status, 201, pod.text);
  assert.is((pod.body as KObject).spec.serviceAccountName, 'default');
});

test('the recorded PostgresCluster passes the CRD schema; a bad one is rejected with the field named', async () => {
  const good = pgcBody('valid');
  const created = await api<KObject>('POST', collectionPath(good, ns), good);
  assert.is(created.status, 201, created.text);

  const badReplicas = pgcBody('bad-replicas');
  badReplicas.spec.instances[0].replicas = 0;
  const r1 = await api<{ reason: string; message: string }>('POST', collectionPath(badReplicas, ns), badReplicas);
  assert.is(r1.status, 422, r1.text);
  assert.is(r1.body.reason, 'Invalid');
  assert.match(r1.body.message, /spec\.instances\[0\]\.replicas/);

  const noVolume = pgcBody('no-volume');
  delete noVolume.spec.instances[0].dataVolumeClaimSpec;
  const r2 = await api<{ message: string }>('POST', collectionPath(noVolume, ns), noVolume);
  assert.is(r2.status, 422, r2.text);
  assert.match(r2.body.message, /dataVolumeClaimSpec/);

  const wrongType = pgcBody('wrong-type');
  wrongType.spec.postgresVersion = 'sixteen';
  const r3 = await api<{ message: string }>('POST', collectionPath(wrongType, ns), wrongType);
  assert.is(r3.status, 422, r3.text);
  assert.match(r3.body.message, /postgresVersion/);

  const names = (await apiOk<{ items: KObject[] }>('GET', collectionPath(good, ns))).items.map((o) => o.metadata.name);
  assert.equal(names, ['valid'], 'rejected objects must not be stored');
});

test('a merge patch with dryRun=All answers with the change but stores nothing', async () => {
  const body = pgcBody('dry');
  await apiOk('POST', collectionPath(body, ns), body);
  const c = shapeCluster(version, ns, 'dry');
  const before = await apiOk<KObject>('GET', clusterPath(c));
  const patch = { spec: { patroni: { switchover: { enabled: true } } } };
  const dry = await apiOk<KObject>('PATCH', `${clusterPath(c)}?dryRun=All`, patch, merge);
  assert.is(dry.spec.patroni.switchover.enabled, true, 'the answer shows the patched object');
  assert.is(dry.metadata.resourceVersion, before.metadata.resourceVersion);
  const after = await apiOk<KObject>('GET', clusterPath(c));
  // Nothing stored: same spec, generation and annotations (an operator may write status meanwhile).
  assertNoPluginWrite(before, after, 'the cluster after a dry-run merge patch', 'kpgo-e2e');
  assert.is(after.spec.patroni.switchover, undefined);

  // Server-side apply with dry run: the same, with the field manager's view.
  const ssa = await api<KObject>('PATCH', `${clusterPath(c)}?dryRun=All&fieldManager=kpgo-e2e&force=true`, JSON.stringify({ apiVersion: c.apiVersion, kind: 'PostgresCluster', metadata: { name: 'dry' }, spec: { paused: true } }), { contentType: 'application/apply-patch+yaml' });
  assert.is(ssa.status, 200, ssa.text);
  assert.is(ssa.body.spec.paused, true);
  const afterApply = await apiOk<KObject>('GET', clusterPath(c));
  assert.is(afterApply.spec.paused, undefined);
  assertNoPluginWrite(before, afterApply, 'the cluster after a dry-run apply by kpgo-e2e', 'kpgo-e2e');

  // The CRD rejects a strategic merge patch (what some clients send by default).
  const smp = await api('PATCH', clusterPath(c), patch, { contentType: 'application/strategic-merge-patch+json' });
  assert.is(smp.status, 415, smp.text);
});

test('"changed nothing" as the e2e suites judge it: an operator\'s status write is none of ours, a write by our field manager is caught', async () => {
  const body = pgcBody('judged');
  await apiOk('POST', collectionPath(body, ns), body);
  const c = shapeCluster(version, ns, 'judged');
  const before = await apiOk<KObject>('GET', clusterPath(c));
  const byOperator = await apiOk<KObject>('PATCH', `${clusterPath(c)}/status?fieldManager=postgrescluster-controller`, { status: { observedGeneration: 1 } }, merge);
  assert.is.not(byOperator.metadata.resourceVersion, before.metadata.resourceVersion, 'the operator\'s write moved resourceVersion');
  assertNoPluginWrite(before, byOperator, 'after a status write by another manager');
  const byUs = await apiOk<KObject>('PATCH', `${clusterPath(c)}?fieldManager=${FIELD_MANAGER}`, { metadata: { annotations: { 'e2e.kubectl-pgo/mark': 'x' } } }, merge);
  assert.equal(pluginWrites(byOperator, byUs).map((w) => w.split(':')[0]).sort(), ['annotations', 'managedFields']);
  const bySpec = await apiOk<KObject>('PATCH', `${clusterPath(c)}?fieldManager=${FIELD_MANAGER}`, { spec: { port: 5433 } }, merge);
  assert.equal(pluginWrites(byUs, bySpec).map((w) => w.split(':')[0]).sort(), ['generation', 'managedFields', 'spec']);
});

test('an update with a stale resourceVersion is refused with 409 Conflict', async () => {
  const body = pgcBody('stale');
  const created = await apiOk<KObject>('POST', collectionPath(body, ns), body);
  const c = shapeCluster(version, ns, 'stale');
  await apiOk('PATCH', clusterPath(c), { metadata: { annotations: { touched: 'yes' } } }, merge);
  const stale = structuredClone(created);
  stale.spec.port = 5433;
  const r = await api<{ reason: string }>('PUT', clusterPath(c), stale);
  assert.is(r.status, 409, r.text);
  assert.is(r.body.reason, 'Conflict');
  // A merge patch carrying the stale resourceVersion is a precondition too.
  const p = await api('PATCH', clusterPath(c), { metadata: { resourceVersion: created.metadata.resourceVersion }, spec: { port: 5433 } }, merge);
  assert.is(p.status, 409, p.text);
  assert.is((await apiOk<KObject>('GET', clusterPath(c))).spec.port, 5432);
});

test('status is a subresource: the main resource ignores it, /status stores it', async () => {
  const body = pgcBody('with-status');
  await apiOk('POST', collectionPath(body, ns), body);
  const c = shapeCluster(version, ns, 'with-status');
  const ignored = await apiOk<KObject>('PATCH', clusterPath(c), { status: { patroni: { systemIdentifier: '42' } } }, merge);
  assert.is(ignored.status?.patroni?.systemIdentifier, undefined);
  const stored = await apiOk<KObject>('PATCH', `${clusterPath(c)}/status`, { status: { patroni: { systemIdentifier: '42' } } }, merge);
  assert.is(stored.status.patroni.systemIdentifier, '42');
});

test('RBAC is enforced: a user without list pods is refused pods and allowed the rest', async () => {
  const user = await userWithRules('e2e-no-pods', { clusterRules: readRules(['pods']) });
  try {
    const pods = await kubectl(['get', 'pods', '-n', ns], { kubeconfig: user.kubeconfig });
    assert.is(pods.code, 1);
    assert.match(pods.stderr, /Forbidden/);
    assert.match(pods.stderr, /cannot list resource "pods"/);
    const pgcs = await kubectl(['get', `postgresclusters.${GROUP}`, '-n', ns, '-o', 'name'], { kubeconfig: user.kubeconfig });
    assert.is(pgcs.code, 0, pgcs.stderr);
    assert.match(pgcs.stdout, /postgrescluster/);
    const canI = await kubectl(['auth', 'can-i', 'list', 'pods', '-n', ns], { kubeconfig: user.kubeconfig });
    assert.is(canI.stdout.trim(), 'no');
  } finally {
    await user.cleanup();
  }
});

test.run();
