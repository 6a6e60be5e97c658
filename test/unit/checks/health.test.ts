import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CATALOGUE, compareFindings, healthOf, runChecks } from '../../../lib/checks/index.ts';
import type { Finding } from '../../../lib/model/types.ts';
import { LABEL } from '../../../lib/model/types.ts';
import { base, byCode, codes, HIPPO, hippo, obj, one, opts, remove } from '../../helpers/check-fixtures.ts';
import { fixture, snapshotFromYaml } from '../../helpers/snapshot-from-yaml.ts';

test('a forbidden LIST in the cluster\'s namespace: PermissionDenied naming it, health Unknown', () => {
  const snap = base();
  snap.objects.pvcs = [];
  snap.gaps.push({ resource: 'persistentvolumeclaims', verb: 'list', namespace: 'db', status: 403, message: 'persistentvolumeclaims is forbidden: User "dev" cannot list resource "persistentvolumeclaims"' });
  const fs = runChecks(snap, opts);
  const f = one(fs, 'PermissionDenied');
  assert.is(f.severity, 'info');
  assert.equal(f.cluster, HIPPO);
  assert.equal(f.data, { verb: 'list', resource: 'persistentvolumeclaims', namespace: 'db', status: 403 });
  assert.match(f.message, 'Cannot list persistentvolumeclaims in namespace db');
  assert.match(f.remedy, 'kubectl auth can-i list persistentvolumeclaims -n db');
  assert.is(healthOf(HIPPO, fs, snap), 'Unknown');
});

test('a gap in another namespace does not touch the cluster', () => {
  const snap = base();
  snap.gaps.push({ resource: 'pods', verb: 'list', namespace: 'other', status: 403, message: 'forbidden' });
  const fs = runChecks(snap, opts);
  assert.is(one(fs, 'PermissionDenied').cluster, null);
  assert.is(healthOf(HIPPO, fs, snap), 'Healthy');
});

test('a timeout is DataUnavailable, and a cluster-wide gap is told once', () => {
  const snap = base();
  snap.gaps.push({ resource: 'jobs', verb: 'list', message: 'the server was unable to return a response in the time allotted' });
  const fs = runChecks(snap, opts);
  const f = one(fs, 'DataUnavailable');
  assert.is(f.cluster, null);
  assert.match(f.message, 'at cluster scope');
  assert.is(healthOf(HIPPO, fs, snap), 'Unknown');
});

test('namespaced run without cluster-wide rights: the operator is unknown, the cluster is still judged', () => {
  const snap = base({ operator: false });
  snap.scope = { allNamespaces: false, namespace: 'db' };
  snap.gaps.push(
    { resource: 'deployments', verb: 'list', status: 403, message: 'forbidden' },
    { resource: 'pods', verb: 'list', status: 403, message: 'forbidden' },
  );
  const fs = runChecks(snap, opts);
  assert.equal(byCode(fs, 'PermissionDenied').map((f) => [f.cluster, f.subject]), [[null, 'deployments'], [null, 'pods']]);
  assert.match(byCode(fs, 'PermissionDenied')[0].detail, 'operator');
  assert.is(healthOf(HIPPO, fs, snap), 'Healthy');
  // and the pod checks still run
  delete obj(snap, 'pods', 'hippo-instance1-abcd-0').metadata.labels![LABEL.role];
  one(runChecks(snap, opts), 'NoPrimary');
});

test('all namespaces without the right to list pods anywhere: Unknown', () => {
  const snap = base();
  snap.objects.pods = [];
  snap.gaps.push({ resource: 'pods', verb: 'list', status: 403, message: 'forbidden' });
  const fs = runChecks(snap, opts);
  assert.equal(byCode(fs, 'NoPrimary'), []);
  assert.is(healthOf(HIPPO, fs, snap), 'Unknown');
});

test('events forbidden: noted, health still decided', () => {
  const snap = base();
  snap.gaps.push({ resource: 'events', verb: 'list', namespace: 'db', status: 403, message: 'forbidden' });
  const fs = runChecks(snap, opts);
  one(fs, 'PermissionDenied');
  assert.is(healthOf(HIPPO, fs, snap), 'Healthy');
});

test('a gap does not hide a blocked cluster, nor a degraded one', () => {
  const snap = base();
  snap.gaps.push({ resource: 'jobs', verb: 'list', namespace: 'db', status: 403, message: 'forbidden' });
  hippo(snap).spec.paused = true;
  assert.is(healthOf(HIPPO, runChecks(snap, opts), snap), 'Blocked');
  hippo(snap).spec.paused = false;
  remove(snap, 'deployments', 'hippo-pgbouncer');
  assert.is(healthOf(HIPPO, runChecks(snap, opts), snap), 'Degraded');
});

test('findings are ordered by severity, then code, the same way every time', () => {
  const snap = base();
  remove(snap, 'statefulSets', 'hippo-instance1-wxyz');
  remove(snap, 'pods', 'hippo-instance1-wxyz-0');
  remove(snap, 'deployments', 'hippo-pgbouncer');
  hippo(snap).metadata.annotations = { [LABEL.triggerSwitchover]: 'old' };
  obj(snap, 'endpoints', 'hippo-ha').metadata.annotations!.leader = 'somebody-else-0';
  const fs = runChecks(snap, opts);
  assert.equal(codes(fs), ['InstanceMissing', 'PgBouncerUnavailable', 'LeaderMismatch', 'SwitchoverTriggerLeft']);
  const shuffled = [...fs].reverse().sort(compareFindings);
  assert.equal(shuffled, fs);
  assert.equal(runChecks(snap, opts), fs);
});

test('clusters are judged apart: one shut down, one healthy', () => {
  const snap = snapshotFromYaml([fixture('clusters/base.yaml'), fixture('clusters/shutdown.yaml'), fixture('clusters/operator.yaml')]);
  const fs = runChecks(snap, opts);
  assert.is(healthOf(HIPPO, fs, snap), 'Healthy');
  assert.is(healthOf({ namespace: 'analytics', name: 'rhino' }, fs, snap), 'Healthy');
  assert.equal(byCode(fs, 'ClusterShutdown').map((f) => f.cluster?.name), ['rhino']);
});

test('every code a check emits is in the catalogue with the severity it is emitted with', () => {
  // Collect findings from scenarios that make most checks fire, and compare with the catalogue.
  const seen: Finding[] = [];
  const scenario = (f: (s: ReturnType<typeof base>) => void) => {
    const s = base();
    f(s);
    seen.push(...runChecks(s, opts));
  };
  scenario((s) => { hippo(s).spec.paused = true; remove(s, 'statefulSets', 'hippo-repo-host'); });
  scenario((s) => { s.operator.deployments = []; });
  scenario((s) => { hippo(s).spec.shutdown = true; hippo(s).spec.standby = { enabled: true }; });
  for (const f of seen) {
    assert.ok(CATALOGUE[f.code], `${f.code} is in the catalogue`);
    if (f.code !== 'ContainerCrashLooping') assert.is(f.severity, CATALOGUE[f.code].severity, f.code);
  }
  assert.ok(seen.length >= 4);
});

test.run();
