import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { collect } from '../../../lib/collect/collect.ts';
import { closestNames } from '../../../lib/collect/names.ts';
import { ApiError } from '../../../lib/kube/errors.ts';
import { discoverPgo } from '../../../lib/kube/discovery.ts';
import { ExitError } from '../../../lib/cli/exit.ts';
import type { KObject, Snapshot } from '../../../lib/model/types.ts';
import { clusterObjects, FakeApi } from '../../fixtures/kube/fake-api.ts';

const names = (list: KObject[]) => list.map((o) => o.metadata.name);
const counts = (s: Snapshot) => Object.fromEntries(Object.entries(s.objects).map(([k, v]) => [k, v.length]));
const many = (n: number, ns = 'db') => Array.from({ length: n }, (_, i) => clusterObjects(`c${i}`, ns)).flat();

const operator: KObject[] = [
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'pgo', namespace: 'postgres-operator', labels: { 'postgres-operator.crunchydata.com/control-plane': 'postgres-operator' } },
  },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pgo-1', namespace: 'postgres-operator', labels: { 'postgres-operator.crunchydata.com/control-plane': 'postgres-operator' } } },
];

test('a namespace: every kind, only objects labelled with a cluster, events about PostgresClusters', async () => {
  const api = new FakeApi([...many(2), ...clusterObjects('elsewhere', 'other'), ...operator, { kind: 'Pod', metadata: { name: 'unlabelled', namespace: 'db' } }]);
  const s = await collect(api, { allNamespaces: false, namespace: 'db' }, { now: () => new Date('2026-01-02T03:04:05Z') });
  assert.equal(counts(s), { postgresClusters: 2, statefulSets: 2, pods: 2, pvcs: 2, endpoints: 2, services: 2, deployments: 2, jobs: 2, events: 2 });
  assert.equal(names(s.objects.events), ['c0.1', 'c1.1']);
  assert.equal(s.source, { kind: 'api', context: 'fake', server: 'https://fake:6443' });
  assert.equal(s.scope, { allNamespaces: false, namespace: 'db', cluster: undefined });
  assert.is(s.takenAt, '2026-01-02T03:04:05.000Z');
  assert.equal(s.pgo.apiVersions, ['v1beta1']);
  assert.is(s.operator.known, true);
  assert.equal(names(s.operator.deployments), ['pgo']);
  assert.equal(names(s.operator.pods), ['pgo-1']);
  assert.equal(s.gaps, []);
  assert.ok(api.paths.every((p) => !p.includes('/namespaces/other')));
});

test('the number of requests does not depend on the number of clusters', async () => {
  const count = async (n: number, scope = { allNamespaces: false, namespace: 'db' }) => {
    const api = new FakeApi([...many(n), ...operator]);
    const s = await collect(api, scope);
    assert.is(s.objects.postgresClusters.length, n);
    return api.requestCount;
  };
  const one = await count(1);
  assert.is(await count(5), one);
  assert.is(await count(40), one);
  assert.is(await count(40, { allNamespaces: true, namespace: 'x' }), one);
  // 2 discovery + 9 lists + PGO's Warning events + 2 operator lists
  assert.is(one, 14);
});

test("PGO's Warning Events about a cluster's objects: one more LIST (type=Warning), kept when PGO wrote them, each once", async () => {
  const ev = (name: string, kind: string, about: string, type: string, component: string): KObject => ({
    apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'db', uid: `uid-${name}` },
    involvedObject: { kind, name: about, namespace: 'db' }, type, reason: 'R', message: 'm', source: { component },
  });
  const api = new FakeApi([
    ...many(1),
    ev('sts.pgo', 'StatefulSet', 'c0-instance1-abcd', 'Warning', 'postgrescluster-controller'),
    ev('sts.normal', 'StatefulSet', 'c0-instance1-abcd', 'Normal', 'postgrescluster-controller'),
    ev('pod.sched', 'Pod', 'c0-instance1-abcd-0', 'Warning', 'default-scheduler'),
    ev('c0.pgo', 'PostgresCluster', 'c0', 'Warning', 'postgrescluster-controller'),
  ]);
  const s = await collect(api, { allNamespaces: false, namespace: 'db' });
  assert.equal(names(s.objects.events).sort(), ['c0.1', 'c0.pgo', 'sts.pgo']);
  assert.ok(api.paths.some((p) => p.endsWith('/events')));
});

test('pagination: small pages still return everything', async () => {
  const api = new FakeApi(many(5), { pageSize: 2 });
  const s = await collect(api, { allNamespaces: false, namespace: 'db' });
  assert.equal(names(s.objects.postgresClusters), ['c0', 'c1', 'c2', 'c3', 'c4']);
  assert.is(s.objects.pods.length, 5);
});

test('one cluster: its objects only, selected by label value', async () => {
  const api = new FakeApi([...many(3), ...operator]);
  const s = await collect(api, { allNamespaces: false, namespace: 'db', cluster: 'c1' });
  assert.equal(names(s.objects.postgresClusters), ['c1']);
  assert.equal(names(s.objects.pods), ['c1-instance1-abcd-0']);
  assert.equal(names(s.objects.events), ['c1.1']);
  assert.is(s.scope.cluster, 'c1');
});

test('an unknown cluster: NotFound naming the clusters that exist there, closest first', async () => {
  const api = new FakeApi([...clusterObjects('hippo', 'db'), ...clusterObjects('zebra', 'db'), ...clusterObjects('hippo2', 'db'), ...clusterObjects('hipp', 'other')]);
  const e = await collect(api, { allNamespaces: false, namespace: 'db', cluster: 'hipo' }).catch((x) => x);
  assert.ok(e instanceof ApiError);
  assert.is(e.status, 404);
  assert.is(e.code, 1);
  assert.is(e.message, 'Error from server (NotFound): postgresclusters.postgres-operator.crunchydata.com "hipo" not found in namespace "db"; clusters there: hippo, hippo2, zebra');
  const none = await collect(new FakeApi([]), { allNamespaces: false, namespace: 'empty', cluster: 'x' }).catch((x) => x);
  assert.match(none.message, /"x" not found in namespace "empty"; there are no PostgresClusters in that namespace$/);
});

test('a forbidden list is a gap naming verb, resource and namespace; the rest is collected', async () => {
  const api = new FakeApi([...many(2), ...operator], { forbidden: ['pods@db', 'jobs@db'] });
  const s = await collect(api, { allNamespaces: false, namespace: 'db' });
  assert.is(s.objects.pods.length, 0);
  assert.is(s.objects.jobs.length, 0);
  assert.is(s.objects.statefulSets.length, 2);
  const gaps = s.gaps.map((g) => [g.verb, g.resource, g.namespace, g.status]);
  assert.equal(gaps, [
    ['list', 'pods', 'db', 403],
    ['list', 'jobs', 'db', 403],
  ]);
  assert.match(s.gaps[0].message, /^cannot list pods in namespace "db" \(Forbidden\): pods is forbidden: User "bob"/);
  assert.is(s.operator.known, true);
});

test('operator lists forbidden (namespaced user): operator unknown, not missing', async () => {
  const api = new FakeApi([...many(1), ...operator], { forbidden: ['deployments@*', 'pods@*'] });
  const s = await collect(api, { allNamespaces: false, namespace: 'db' });
  assert.is(s.operator.known, false);
  assert.equal(
    s.gaps.map((g) => [g.resource, g.namespace]),
    [
      ['deployments', undefined],
      ['pods', undefined],
    ],
  );
  assert.match(s.gaps[0].message, /cannot list deployments in any namespace \(cluster-wide\)/);
  assert.is(s.objects.pods.length, 1);
});

test('an operator Deployment labelled only on its pod template is traced from its pods', async () => {
  const dep: KObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'custom-pgo', namespace: 'ops' },
    spec: { template: { metadata: { labels: { 'postgres-operator.crunchydata.com/control-plane': 'mine' } } } },
  };
  const pod: KObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'custom-pgo-7d9f8b6c4-x2x',
      namespace: 'ops',
      labels: { 'postgres-operator.crunchydata.com/control-plane': 'mine', 'pod-template-hash': '7d9f8b6c4' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'custom-pgo-7d9f8b6c4', uid: 'u' }],
    },
  };
  const api = new FakeApi([...many(1), dep, pod]);
  const s = await collect(api, { allNamespaces: false, namespace: 'db' });
  assert.equal(names(s.operator.deployments), ['custom-pgo']);
  assert.is(s.operator.known, true);
});

test('the PostgresCluster list itself failing is fatal', async () => {
  const e = await collect(new FakeApi(many(1), { forbidden: ['postgresclusters'] }), { allNamespaces: false, namespace: 'db' }).catch((x) => x);
  assert.ok(e instanceof ApiError);
  assert.is(e.reason, 'Forbidden');
});

test('discovery: PGO not installed is one clear error naming the CRD', async () => {
  const e = await collect(new FakeApi([], { versions: [] }), { allNamespaces: true, namespace: '' }).catch((x) => x);
  assert.ok(e instanceof ExitError);
  assert.match(e.message, /^error: PGO is not installed in this cluster .*postgresclusters\.postgres-operator\.crunchydata\.com/);
});

test('discovery: preferred version first; CRD version label; a forbidden CRD read is not fatal', async () => {
  assert.equal(await discoverPgo(new FakeApi([], { versions: ['v1', 'v1beta1'], crdLabels: { 'app.kubernetes.io/version': '6.0.3' } })), {
    apiVersions: ['v1', 'v1beta1'],
    crdVersion: '6.0.3',
  });
  assert.equal(await discoverPgo(new FakeApi([], { versions: ['v1beta1'], crdForbidden: true })), { apiVersions: ['v1beta1'], crdVersion: undefined });
  const s = await collect(new FakeApi(many(1), { versions: ['v1', 'v1beta1'] }), { allNamespaces: false, namespace: 'db' });
  assert.equal(s.pgo.apiVersions, ['v1', 'v1beta1']);
});

test('an empty namespace means every namespace, as for --from', async () => {
  const api = new FakeApi([...many(2, 'db'), ...many(1, 'other')]);
  const s = await collect(api, { allNamespaces: false, namespace: '' });
  assert.is(s.objects.postgresClusters.length, 3);
  assert.is(s.scope.allNamespaces, true);
  assert.ok(api.paths.every((p) => !p.includes('/namespaces//')));
});

test('closest names first', () => {
  assert.equal(closestNames('hipo', ['zebra', 'hippo2', 'hippo']), ['hippo', 'hippo2', 'zebra']);
});

test.run();
