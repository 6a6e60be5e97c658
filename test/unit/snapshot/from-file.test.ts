import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump, loadAll } from 'js-yaml';
import { ExitError } from '../../../lib/cli/exit.ts';
import { loadSnapshot } from '../../../lib/snapshot/from-file.ts';
import type { KObject } from '../../../lib/model/types.ts';
import { tempFiles } from '../../fixtures/kube/stub-server.ts';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');
const RECORDED = resolve(REPO, '../shared/fixtures/pgo');
const HEALTHY = join(RECORDED, 'v5.8.9/recorded/healthy.yaml');
const STUCK = join(RECORDED, 'v5.8.9/recorded/switchover-stuck-target-is-primary.yaml');
const V6 = join(RECORDED, 'v6.0.3/recorded/healthy.yaml');
const db = { allNamespaces: false, namespace: 'db' };

function items(file: string): KObject[] {
  return (loadAll(readFileSync(file, 'utf8'))[0] as { items: KObject[] }).items;
}

function expectExit(fn: () => unknown, re: RegExp) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ExitError, `expected ExitError, got ${e}`);
    assert.is((e as ExitError).code, 1);
    assert.match((e as Error).message, re);
    assert.not.match((e as Error).message, /\n/);
    return;
  }
  assert.unreachable(`expected an error matching ${re}`);
}

const counts = (s: ReturnType<typeof loadSnapshot>) => Object.fromEntries(Object.entries(s.objects).map(([k, v]) => [k, v.length]));

test('the recorded v5.8.9 and v6.0.3 dumps load, sorted by kind', () => {
  for (const [file, version, endpoints] of [
    [HEALTHY, 'v1beta1', 6],
    [STUCK, 'v1beta1', 6],
    [V6, 'v1', 5],
  ] as const) {
    const s = loadSnapshot(file, db);
    assert.equal(counts(s), { postgresClusters: 1, statefulSets: 3, pods: 3, pvcs: 3, endpoints, services: 5, deployments: 0, jobs: 0, events: 2 }, file);
    assert.equal(s.pgo.apiVersions, [version]);
    assert.is(s.objects.postgresClusters[0].metadata.name, 'hippo');
    assert.ok(s.objects.events.every((e) => e.involvedObject.kind === 'PostgresCluster'));
    assert.equal(s.source, { kind: 'file', path: file });
    assert.equal(s.gaps, []);
    // no operator objects in these dumps: say so rather than claim it is missing
    assert.is(s.operator.known, false);
  }
});

test('takenAt is the dump\'s own latest timestamp (Patroni\'s lease renewal), not now', () => {
  const s = loadSnapshot(STUCK, db, { now: () => new Date('2030-01-01T00:00:00Z') });
  const renew = items(STUCK).find((o) => o.kind === 'Endpoints' && o.metadata.name === 'hippo-ha')!.metadata.annotations!.renewTime;
  assert.ok(Date.parse(s.takenAt) >= Date.parse(renew));
  assert.ok(s.takenAt < '2030');
  // a timestamp from the future (skewed clock) never moves takenAt past now
  const dir = tempFiles({ 'x.yaml': dump(pgc('a', 'db', { creationTimestamp: '2099-01-01T00:00:00Z' })) });
  assert.is(loadSnapshot(join(dir, 'x.yaml'), db, { now: () => new Date('2030-01-01T00:00:00Z') }).takenAt, '2030-01-01T00:00:00.000Z');
});

function pgc(name: string, ns: string, meta: Record<string, unknown> = {}): KObject {
  return { apiVersion: 'postgres-operator.crunchydata.com/v1beta1', kind: 'PostgresCluster', metadata: { name, namespace: ns, ...meta }, spec: {} };
}
function labelled(kind: string, name: string, ns: string, cluster: string): KObject {
  return { apiVersion: 'v1', kind, metadata: { name, namespace: ns, labels: { 'postgres-operator.crunchydata.com/cluster': cluster } } };
}
const operatorDeployment: KObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'pgo', namespace: 'postgres-operator' },
  spec: { template: { metadata: { labels: { 'postgres-operator.crunchydata.com/control-plane': 'pgo' } } } },
};
const operatorPod: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pgo-abc', namespace: 'postgres-operator', labels: { 'postgres-operator.crunchydata.com/control-plane': 'x' } } };

const mixed = [
  pgc('a', 'db'),
  pgc('b', 'db'),
  pgc('c', 'other'),
  labelled('Pod', 'a-0', 'db', 'a'),
  labelled('Pod', 'b-0', 'db', 'b'),
  labelled('Pod', 'c-0', 'other', 'c'),
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unrelated', namespace: 'db' } },
  labelled('Job', 'a-backup', 'db', 'a'),
  labelled('Deployment', 'a-pgbouncer', 'db', 'a'),
  { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1', namespace: 'db' }, involvedObject: { kind: 'PostgresCluster', name: 'a' } },
  { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e2', namespace: 'db' }, involvedObject: { kind: 'Pod', name: 'a-0' } },
  operatorDeployment,
  operatorPod,
];

test('multi-document YAML stream: scope by namespace, by cluster, all namespaces; operator found anywhere', () => {
  const dir = tempFiles({ 'dump.yaml': mixed.map((o) => '---\n' + dump(o)).join('') + '---\n' });
  const f = join(dir, 'dump.yaml');
  const ns = loadSnapshot(f, db);
  assert.equal(ns.objects.postgresClusters.map((o) => o.metadata.name), ['a', 'b']);
  assert.equal(ns.objects.pods.map((o) => o.metadata.name), ['a-0', 'b-0']);
  assert.equal(ns.objects.events.map((o) => o.metadata.name), ['e1']);
  assert.equal(ns.objects.deployments.map((o) => o.metadata.name), ['a-pgbouncer']);
  assert.is(ns.operator.known, true);
  assert.equal(ns.operator.deployments.map((o) => o.metadata.name), ['pgo']);
  assert.equal(ns.operator.pods.map((o) => o.metadata.name), ['pgo-abc']);
  assert.equal(ns.scope, { allNamespaces: false, namespace: 'db', cluster: undefined });

  const one = loadSnapshot(f, { ...db, cluster: 'b' });
  assert.equal(one.objects.postgresClusters.map((o) => o.metadata.name), ['b']);
  assert.equal(one.objects.pods.map((o) => o.metadata.name), ['b-0']);
  assert.equal(one.objects.jobs, []);
  assert.equal(one.objects.events, []);

  const all = loadSnapshot(f, { allNamespaces: true, namespace: 'ignored' });
  assert.equal(all.objects.postgresClusters.map((o) => o.metadata.name), ['a', 'b', 'c']);
  assert.is(all.scope.namespace, undefined);
  // "" = no namespace given (no kubeconfig to ask): every namespace
  assert.is(loadSnapshot(f, { allNamespaces: false, namespace: '' }).objects.postgresClusters.length, 3);
});

test('JSON List (kubectl get -o json), items without kind from a typed list, directory of files', () => {
  const dir = tempFiles({
    'a.json': JSON.stringify({ apiVersion: 'v1', kind: 'List', items: mixed.slice(0, 3) }, null, 2),
    'b.yml': dump({ apiVersion: 'v1', kind: 'PodList', items: [{ metadata: { name: 'a-1', namespace: 'db', labels: { 'postgres-operator.crunchydata.com/cluster': 'a' } } }] }),
    'notes.txt': 'ignored',
  });
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'c.yaml'), dump(labelled('PersistentVolumeClaim', 'a-pgdata', 'db', 'a')));
  const json = loadSnapshot(join(dir, 'a.json'), db);
  assert.is(json.objects.postgresClusters.length, 2);
  const d = loadSnapshot(dir, db);
  assert.equal(d.objects.pods.map((p) => `${p.kind}/${p.metadata.name}`), ['Pod/a-1']);
  assert.is(d.objects.pvcs.length, 1);
  assert.is(d.objects.postgresClusters.length, 2);
});

test('stdin with "-"', () => {
  const s = loadSnapshot('-', db, { stdin: () => dump({ kind: 'List', items: [pgc('a', 'db')] }) });
  assert.is(s.objects.postgresClusters.length, 1);
  assert.equal(s.source, { kind: 'file', path: '-' });
});

test('the CRD in a dump gives the served versions and the operator release', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'postgresclusters.postgres-operator.crunchydata.com', labels: { 'app.kubernetes.io/version': '5.8.9' } },
    spec: { versions: [{ name: 'v1beta1', served: true }, { name: 'v1', served: true }, { name: 'v1alpha1', served: false }] },
  };
  const dir = tempFiles({ 'x.yaml': [crd, pgc('a', 'db')].map((o) => dump(o)).join('---\n') });
  const s = loadSnapshot(join(dir, 'x.yaml'), db);
  assert.equal(s.pgo, { apiVersions: ['v1', 'v1beta1'], crdVersion: '5.8.9' });
});

test('errors: one line naming the file (and the line for YAML), exit 1', () => {
  const dir = tempFiles({
    'bad.yaml': 'apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  metadata: {name: [x\n',
    'bad.json': '{\n  "kind": "List",\n  "items": [,]\n}\n',
    'nopgc.yaml': dump(labelled('Pod', 'x', 'db', 'x')),
    'scalar.yaml': 'hello\n',
    'noname.yaml': 'kind: Pod\nmetadata: {}\n',
    'ok.yaml': mixed.map((o) => dump(o)).join('---\n'),
  });
  expectExit(() => loadSnapshot(join(dir, 'missing.yaml'), db), /^error: the path ".*missing\.yaml" does not exist$/);
  expectExit(() => loadSnapshot(join(dir, 'bad.yaml'), db), /^error: cannot parse ".*bad\.yaml" as YAML: line \d+: /);
  expectExit(() => loadSnapshot(join(dir, 'bad.json'), db), /^error: cannot parse ".*bad\.json" as JSON: line 3: /);
  expectExit(() => loadSnapshot(join(dir, 'nopgc.yaml'), db), /^error: ".*nopgc\.yaml" holds no PostgresCluster/);
  expectExit(() => loadSnapshot(join(dir, 'scalar.yaml'), db), /document 1 is not a Kubernetes object/);
  expectExit(() => loadSnapshot(join(dir, 'noname.yaml'), db), /without kind or metadata\.name/);
  expectExit(() => loadSnapshot(join(dir, 'ok.yaml'), { ...db, namespace: 'prod' }), /^error: no PostgresCluster in namespace "prod" in ".*ok\.yaml"; it holds clusters in namespace\(s\) db, other/);
  expectExit(() => loadSnapshot(join(dir, 'ok.yaml'), { ...db, cluster: 'bb' }), /^error: postgrescluster "bb" not found in namespace "db" in ".*ok\.yaml"; clusters there: b, a$/);
  const empty = tempFiles({});
  expectExit(() => loadSnapshot(empty, db), /holds no \.yaml, \.yml or \.json file/);
});

test.run();
