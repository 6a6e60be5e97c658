// The collector against the real kube-apiserver of the sandbox (npm run sandbox -- up), with
// clusters shaped like the ones the real operator made (test/helpers/pgo-cluster.ts). Fails,
// never skips, when the sandbox is not up.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { collect } from '../../../lib/collect/collect.ts';
import { connect } from '../../../lib/kube/connect.ts';
import { ApiError } from '../../../lib/kube/errors.ts';
import { discoverPgo } from '../../../lib/kube/discovery.ts';
import type { ApiClient, WatchEvent } from '../../../lib/kube/api.ts';
import { LABEL, type KObject, type Snapshot } from '../../../lib/model/types.ts';
import { adminKubeconfigPath, apiOk, createNamespace, deleteNamespace, pgoCrds, uniqueName } from '../../helpers/sandbox.ts';
import { ensureTestNode, TEST_NODE } from '../../helpers/pgo-cluster.ts';
import { readRules, userWithRules } from '../../helpers/rbac.ts';

const FIVE = uniqueName('collect-five');
const ONE = uniqueName('collect-one');
const CLUSTERS = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];
let admin: ApiClient;
let pgcVersion = 'v1beta1';
/** namespace -> kind -> names this suite created (labelled with the cluster). */
const created = new Map<string, Map<string, string[]>>();

const flags = (kubeconfig: string) => ({ kubeconfig, allNamespaces: false, color: 'never' as const });
const names = (l: KObject[]) => l.map((o) => o.metadata.name).sort();
const mine = (ns: string, kind: string) => [...(created.get(ns)?.get(kind) ?? [])].sort();

// Set up inside the tests, not in test.before: uvu swallows an error thrown by a hook (the suite
// then reports 0 passed with no message), and a missing sandbox must fail with a clear one.
let setup: Promise<void> | undefined;
const ready = () => (setup ??= prepare());

async function prepare(): Promise<void> {
  let kubeconfig: string;
  try {
    kubeconfig = adminKubeconfigPath();
    admin = await connect(flags(kubeconfig));
    await admin.request({ method: 'GET', path: '/version' });
  } catch (e) {
    throw new Error(`the sandbox API server is not reachable (${(e as Error).message}); start it with: npm run sandbox -- up`);
  }
  pgcVersion = (await discoverPgo(admin)).apiVersions[0];
  await ensureTestNode();
  await Promise.all([createNamespace(FIVE), createNamespace(ONE)]);
  await Promise.all([...CLUSTERS.map((c) => makeCluster(FIVE, c)), makeCluster(ONE, 'solo')]);
}

/**
 * A PostgresCluster (minimal valid spec) and one object of every kind the collector reads, labelled
 * as PGO labels them. Made so that no controller of a fuller sandbox acts on them: StatefulSets
 * and Deployments with 0 replicas, a suspended Job, Services without selectors, bare Pods.
 */
async function makeCluster(ns: string, name: string): Promise<void> {
  const labels = { [LABEL.cluster]: name };
  const claim = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } };
  const podSpec = { containers: [{ name: 'database', image: 'postgres' }] };
  const inst = `${name}-instance1-x7k2`;
  const add = (kind: string, n: string) => {
    const byKind = created.get(ns) ?? new Map<string, string[]>();
    created.set(ns, byKind);
    byKind.set(kind, [...(byKind.get(kind) ?? []), n]);
  };
  await apiOk('POST', `/apis/postgres-operator.crunchydata.com/${pgcVersion}/namespaces/${ns}/postgresclusters`, {
    apiVersion: `postgres-operator.crunchydata.com/${pgcVersion}`,
    kind: 'PostgresCluster',
    metadata: { name },
    spec: {
      postgresVersion: 16,
      instances: [{ name: 'instance1', dataVolumeClaimSpec: claim }],
      backups: { pgbackrest: { repos: [{ name: 'repo1', volume: { volumeClaimSpec: claim } }] } },
    },
  });
  add('PostgresCluster', name);
  const objects: Array<[string, string, string, object]> = [
    ['StatefulSet', `/apis/apps/v1/namespaces/${ns}/statefulsets`, inst, {
      spec: { replicas: 0, serviceName: `${name}-pods`, selector: { matchLabels: { [LABEL.instance]: inst } }, template: { metadata: { labels: { ...labels, [LABEL.instance]: inst } }, spec: podSpec } },
    }],
    ['Pod', `/api/v1/namespaces/${ns}/pods`, `${inst}-0`, { spec: { ...podSpec, nodeName: TEST_NODE } }],
    ['PersistentVolumeClaim', `/api/v1/namespaces/${ns}/persistentvolumeclaims`, `${inst}-pgdata`, { spec: claim }],
    ['Service', `/api/v1/namespaces/${ns}/services`, `${name}-primary`, { spec: { ports: [{ port: 5432 }] } }],
    ['Endpoints', `/api/v1/namespaces/${ns}/endpoints`, `${name}-ha`, { metadata: { annotations: { leader: `${inst}-0` } } }],
    ['Deployment', `/apis/apps/v1/namespaces/${ns}/deployments`, `${name}-pgbouncer`, {
      spec: { replicas: 0, selector: { matchLabels: { ...labels, [LABEL.role]: 'pgbouncer' } }, template: { metadata: { labels: { ...labels, [LABEL.role]: 'pgbouncer' } }, spec: podSpec } },
    }],
    ['Job', `/apis/batch/v1/namespaces/${ns}/jobs`, `${name}-backup-abcd`, {
      spec: { suspend: true, template: { metadata: { labels }, spec: { ...podSpec, restartPolicy: 'Never' } } },
    }],
  ];
  for (const [kind, path, n, body] of objects) {
    const b = body as { metadata?: Record<string, unknown> };
    await apiOk('POST', path, { ...b, metadata: { ...(b.metadata ?? {}), name: n, labels: { ...labels, [LABEL.instance]: inst } } });
    add(kind, n);
  }
  // An Event about the cluster, as PGO records them (selected by involvedObject.kind).
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await apiOk('POST', `/api/v1/namespaces/${ns}/events`, {
    metadata: { name: `${name}.${Date.now()}` },
    involvedObject: { apiVersion: `postgres-operator.crunchydata.com/${pgcVersion}`, kind: 'PostgresCluster', name, namespace: ns },
    reason: 'RepoHostCreated',
    message: `created pgBackRest repository host StatefulSet/${name}-repo-host`,
    type: 'Normal',
    source: { component: 'postgrescluster-controller' },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  });
  add('Event', name);
}

test.after(async () => {
  await Promise.all([deleteNamespace(FIVE), deleteNamespace(ONE)].map((p) => p.catch(() => undefined)));
});

test('discovery reads the served PostgresCluster versions and the CRD release label from the real API', async () => {
  await ready();
  const d = await discoverPgo(admin);
  // v5.8.9 serves v1beta1 only; v6.0.3 serves v1 (preferred) and v1beta1
  assert.equal(d.apiVersions, pgoCrds() === 'v6.0.3' ? ['v1', 'v1beta1'] : ['v1beta1']);
  const crd = await admin.request({ method: 'GET', path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/postgresclusters.postgres-operator.crunchydata.com' });
  assert.is(d.crdVersion, crd.metadata.labels?.['app.kubernetes.io/version']);
});

test('a namespace with five clusters: every kind the checks need, nothing from elsewhere', async () => {
  await ready();
  const s = await collect(admin, { allNamespaces: false, namespace: FIVE });
  assert.equal(names(s.objects.postgresClusters), CLUSTERS);
  // Everything made here is there (an operator running in the sandbox may add more: subset).
  const has = (list: KObject[], kind: string) => {
    const got = new Set(list.map((o) => o.metadata.name));
    for (const n of mine(FIVE, kind)) assert.ok(got.has(n), `${kind}/${n} missing from the snapshot`);
  };
  has(s.objects.statefulSets, 'StatefulSet');
  has(s.objects.pods, 'Pod');
  has(s.objects.pvcs, 'PersistentVolumeClaim');
  has(s.objects.services, 'Service');
  has(s.objects.endpoints, 'Endpoints');
  has(s.objects.deployments, 'Deployment');
  has(s.objects.jobs, 'Job');
  assert.equal([...new Set(s.objects.events.map((e) => e.involvedObject.name))].sort(), CLUSTERS);
  assert.ok(s.objects.events.every((e) => e.involvedObject.kind === 'PostgresCluster'));
  for (const list of Object.values(s.objects)) for (const o of list as KObject[]) assert.is(o.metadata.namespace, FIVE);
  for (const list of [s.objects.pods, s.objects.statefulSets, s.objects.jobs]) assert.ok(list.every((o) => o.metadata.labels?.[LABEL.cluster]));
  // objects unrelated to PGO are not collected
  await apiOk('POST', `/api/v1/namespaces/${FIVE}/services`, { metadata: { name: 'unrelated' }, spec: { ports: [{ port: 80 }] } });
  const again = await collect(admin, { allNamespaces: false, namespace: FIVE });
  assert.not.ok(again.objects.services.some((o) => o.metadata.name === 'unrelated'));
  assert.ok(s.objects.pods.every((p) => p.kind === 'Pod' && p.apiVersion === 'v1'));
  assert.equal(s.gaps, []);
  assert.is(s.operator.known, true);
  assert.equal(s.source, { kind: 'api', context: admin.context, server: admin.server });
  assert.ok(Math.abs(Date.parse(s.takenAt) - Date.now()) < 60_000);
});

async function requestsFor(ns: string, cluster?: string): Promise<{ count: number; snap: Snapshot }> {
  const client = await connect(flags(adminKubeconfigPath()));
  const snap = await collect(client, { allNamespaces: false, namespace: ns, cluster });
  return { count: client.requestCount, snap };
}

test('the same number of requests for one cluster and for five', async () => {
  await ready();
  const one = await requestsFor(ONE);
  const five = await requestsFor(FIVE);
  assert.is(one.snap.objects.postgresClusters.length, 1);
  assert.is(five.snap.objects.postgresClusters.length, 5);
  assert.is(five.count, one.count);
  // all namespaces (whatever else runs in the sandbox) still costs the same
  const client = await connect({ ...flags(adminKubeconfigPath()), allNamespaces: true });
  const all = await collect(client, { allNamespaces: true, namespace: '' });
  assert.ok(all.objects.postgresClusters.length >= 6);
  assert.is(client.requestCount, one.count);
});

test('pagination with limit 2 returns every object, in more requests', async () => {
  await ready();
  const client = await connect(flags(adminKubeconfigPath()), { pageSize: 2 });
  const s = await collect(client, { allNamespaces: false, namespace: FIVE });
  assert.equal(names(s.objects.postgresClusters), CLUSTERS);
  const full = await collect(admin, { allNamespaces: false, namespace: FIVE });
  for (const k of Object.keys(full.objects) as Array<keyof Snapshot['objects']>) {
    assert.equal(names(s.objects[k]), names(full.objects[k]), k);
  }
  assert.ok(s.objects.pods.length >= 5);
  const { count } = await requestsFor(FIVE);
  assert.ok(client.requestCount > count + 10, `${client.requestCount} requests with pages of 2 vs ${count}`);
});

test('one cluster by name: only its objects; an unknown name lists the ones that exist', async () => {
  await ready();
  const { snap } = await requestsFor(FIVE, 'charlie');
  assert.equal(names(snap.objects.postgresClusters), ['charlie']);
  assert.ok(snap.objects.pods.length > 0);
  assert.ok(snap.objects.pods.every((p) => p.metadata.labels?.[LABEL.cluster] === 'charlie'));
  const e = await requestsFor(FIVE, 'charly').catch((x) => x);
  assert.ok(e instanceof ApiError, String(e));
  assert.is(e.code, 1);
  const prefix = `Error from server (NotFound): postgresclusters.postgres-operator.crunchydata.com "charly" not found in namespace "${FIVE}"; clusters there: `;
  assert.ok(e.message.startsWith(prefix), e.message);
  const listed = e.message.slice(prefix.length).split(', ');
  assert.is(listed[0], 'charlie'); // closest first
  assert.equal([...listed].sort(), CLUSTERS);
});

test('a user who may not list pods: the pods are a gap, the rest is collected, the operator unknown', async () => {
  await ready();
  const user = await userWithRules('collect', { namespaceRules: { [FIVE]: readRules(['pods']) } });
  try {
    const client = await connect(flags(user.kubeconfig));
    const s = await collect(client, { allNamespaces: false, namespace: FIVE });
    assert.is(s.objects.postgresClusters.length, 5);
    assert.is(s.objects.pods.length, 0);
    assert.ok(s.objects.statefulSets.length > 0);
    const podGap = s.gaps.find((g) => g.resource === 'pods' && g.namespace === FIVE);
    assert.ok(podGap, JSON.stringify(s.gaps));
    assert.is(podGap!.status, 403);
    assert.is(podGap!.verb, 'list');
    assert.match(podGap!.message, new RegExp(`^cannot list pods in namespace "${FIVE}" \\(Forbidden\\): pods is forbidden: User "${user.username}" cannot list resource "pods"`));
    assert.is(s.operator.known, false);
    assert.ok(s.gaps.some((g) => g.resource === 'deployments' && g.namespace === undefined));
  } finally {
    await user.cleanup();
  }
});

test('the operator is found by the control-plane label key, whatever its value', async () => {
  await ready();
  const labels = { [LABEL.controlPlane]: 'my-custom-install' };
  await apiOk('POST', `/apis/apps/v1/namespaces/${ONE}/deployments`, {
    metadata: { name: 'pgo', labels },
    spec: { replicas: 0, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'operator', image: 'postgres-operator' }] } } },
  });
  const { snap } = await requestsFor(FIVE);
  assert.ok(snap.operator.deployments.some((d) => d.metadata.namespace === ONE && d.metadata.name === 'pgo'));
  assert.is(snap.operator.known, true);
});

test('watch streams real events from the API server', async () => {
  await ready();
  const ac = new AbortController();
  const seen: WatchEvent[] = [];
  const list = await admin.list(`/api/v1/namespaces/${ONE}/configmaps`);
  const done = admin.watch(`/api/v1/namespaces/${ONE}/configmaps`, { resourceVersion: list.resourceVersion }, (e) => {
    seen.push(e);
    if (e.object.metadata.name === 'watched') ac.abort();
  }, ac.signal);
  await apiOk('POST', `/api/v1/namespaces/${ONE}/configmaps`, { metadata: { name: 'watched' }, data: { a: '1' } });
  const timer = setTimeout(() => ac.abort(), 10_000);
  await done;
  clearTimeout(timer);
  assert.ok(seen.some((e) => e.type === 'ADDED' && e.object.metadata.name === 'watched'), JSON.stringify(seen.map((e) => e.type)));
});

test.run();
