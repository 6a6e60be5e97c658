// `kubectl pgo diff` through real kubectl against a real apiserver: desired against actual on a
// healthy cluster and on the incident, and `diff -f` computed by a server-side dry-run apply
// (the CRD's own validation, nothing written).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeWorld, type World } from '../../helpers/e2e-api.ts';
import { clusterPath, type ClusterObjects } from '../../helpers/pgo-cluster.ts';
import { apiOk, describeRun, kubectlPgo } from '../../helpers/sandbox.ts';
import { assertNoPluginWrite } from '../../helpers/plugin-writes.ts';
import type { KObject } from '../../../lib/model/types.ts';

let world: World;
let healthyNs: string;
let incidentNs: string;
let healthy: ClusterObjects;

test.before(async () => {
  world = await makeWorld('e2e-diff');
  [healthyNs, incidentNs] = await Promise.all([world.namespace('e2e-diff-ok'), world.namespace('e2e-diff-bad')]);
  [healthy] = await Promise.all([world.cluster(healthyNs, 'hippo'), world.cluster(incidentNs, 'hippo', { incident: true })]);
});

test.after(async () => {
  await world?.cleanup();
});

async function live(): Promise<KObject> {
  return apiOk<KObject>('GET', clusterPath(healthy));
}

function manifestOf(obj: KObject, edit: (spec: KObject['spec']) => void): string {
  const spec = structuredClone(obj.spec);
  edit(spec);
  return JSON.stringify({ apiVersion: obj.apiVersion, kind: 'PostgresCluster', metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace }, spec });
}

test('healthy cluster: no differences, exit 0', async () => {
  const r = await kubectlPgo(['diff', 'hippo', '-n', healthyNs]);
  assert.is(r.code, 0, describeRun('diff hippo', r));
  assert.match(r.stdout, /no differences/);
});

test('incident: the missing instance, tied to InstanceMissing and blocked by SwitchoverBlocked, exit 1', async () => {
  const r = await kubectlPgo(['diff', 'hippo', '-n', incidentNs]);
  assert.is(r.code, 1, describeRun('diff incident', r));
  assert.match(r.stdout, /InstanceMissing; PGO will NOT converge: blocked by SwitchoverBlocked/);
  assert.match(r.stdout, /Need more than one instance to switchover/);
  const j = await kubectlPgo(['diff', '-A', '-o', 'json']);
  assert.is(j.code, 1, describeRun('diff -A -o json', j));
  const data = JSON.parse(j.stdout);
  assert.is(data.kind, 'StateDiff');
  const c = data.clusters.find((x: { namespace: string }) => x.namespace === incidentNs);
  assert.ok(c.differences.some((d: { finding?: string }) => d.finding === 'InstanceMissing'));
});

test('diff -f: the same object is no difference, exit 0', async () => {
  const obj = await live();
  const r = await kubectlPgo(['diff', '-f', '-'], { input: manifestOf(obj, () => {}) });
  assert.is(r.code, 0, describeRun('diff -f same', r));
  assert.match(r.stdout, /No field differences/);
});

test('diff -f removing an instance set: data loss said first, unified diff, nothing written', async () => {
  const before = await live();
  const m = manifestOf(before, (spec) => {
    spec.instances = spec.instances.slice(0, 1);
  });
  const r = await kubectlPgo(['diff', '-f', '-'], { input: m });
  assert.is(r.code, 1, describeRun('diff -f remove set', r));
  const lines = r.stdout.split('\n');
  assert.match(lines[0], /^!!! DATA LOSS: removing instance set "instance2"/);
  assert.match(lines[0], /AND their PersistentVolumeClaims \(.*-pgdata/);
  assert.ok(lines.some((l) => l.startsWith(`--- live/${healthyNs}/hippo`)), describeRun('no unified header', r));
  assert.ok(lines.some((l) => /^-\s+name: instance2$/.test(l)), describeRun('no removed set line', r));
  const after = await live();
  assertNoPluginWrite(before, after, 'the cluster after diff -f (a dry run)');
  assert.equal(after.spec.instances.length, 2);
});

test('diff -f with a manifest the CRD rejects: one line from the server, exit above 1', async () => {
  const obj = await live();
  const m = manifestOf(obj, (spec) => {
    spec.instances[0].replicas = 'two';
  });
  const r = await kubectlPgo(['diff', '-f', '-'], { input: m });
  assert.ok(r.code > 1, describeRun('diff -f invalid', r));
  assert.match(r.stderr, /Invalid|invalid/);
  assert.is(r.stderr.trim().split('\n').length, 1, describeRun('one line', r));
  assert.not.match(r.stderr, /\n\s+at /);
});

test('diff -f of something that is not a PostgresCluster: clear line, exit 2', async () => {
  const r = await kubectlPgo(['diff', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' });
  assert.is(r.code, 2, describeRun('diff -f configmap', r));
  assert.match(r.stderr, /^error: stdin: kind is "ConfigMap", expected PostgresCluster$/m);
});

test.run();
