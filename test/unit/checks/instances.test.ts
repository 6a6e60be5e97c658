import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { healthOf, runChecks } from '../../../lib/checks/index.ts';
import { LABEL, type Snapshot } from '../../../lib/model/types.ts';
import { base, byCode, HIPPO, hippo, obj, one, opts, remove } from '../../helpers/check-fixtures.ts';

/** db/hippo after `kubectl delete sts hippo-instance1-wxyz`: its pod goes, its PVC stays. */
function replicaDeleted(): Snapshot {
  const snap = base();
  remove(snap, 'statefulSets', 'hippo-instance1-wxyz');
  remove(snap, 'pods', 'hippo-instance1-wxyz-0');
  return snap;
}

test('all StatefulSets there: no InstanceMissing', () => {
  assert.equal(byCode(runChecks(base(), opts), 'InstanceMissing'), []);
});

test('missing with nothing in the way: PGO recreates it on the kept PVC, not blocking', () => {
  const snap = replicaDeleted();
  const fs = runChecks(snap, opts);
  const f = one(fs, 'InstanceMissing');
  assert.is(f.severity, 'error');
  assert.is(f.blocking, undefined);
  assert.is(f.blockedBy, undefined);
  assert.is(f.data?.reusePvc, 'hippo-instance1-wxyz-pgdata');
  assert.is(f.data?.missing, 1);
  assert.is(f.data?.set, 'instance1');
  assert.match(f.message, 'has 1 of 2 instance StatefulSets');
  assert.match(f.detail, 'on its next reconcile');
  assert.is(healthOf(HIPPO, fs, snap), 'Degraded');
});

test('missing while the switchover step fails: blocked by SwitchoverBlocked', () => {
  const snap = replicaDeleted();
  hippo(snap).spec.patroni = { switchover: { enabled: true } };
  hippo(snap).metadata.annotations = { [LABEL.triggerSwitchover]: 'now' };
  const fs = runChecks(snap, opts);
  const f = one(fs, 'InstanceMissing');
  assert.is(f.blockedBy, 'SwitchoverBlocked');
  assert.is(f.blocking, true);
  assert.match(f.detail, 'Need more than one instance to switchover');
  assert.match(f.remedy, 'kubectl pgo heal hippo -n db');
});

test('missing while paused: blocked by ReconcilePaused', () => {
  const snap = replicaDeleted();
  hippo(snap).spec.paused = true;
  const f = one(runChecks(snap, opts), 'InstanceMissing');
  assert.is(f.blockedBy, 'ReconcilePaused');
  assert.match(f.remedy, '"paused":false');
});

test('missing while the operator is gone: blocked by OperatorMissing', () => {
  const snap = replicaDeleted();
  snap.operator.deployments = [];
  snap.operator.pods = [];
  assert.is(one(runChecks(snap, opts), 'InstanceMissing').blockedBy, 'OperatorMissing');
});

test('no pgdata PVC left: a fresh volume will be made', () => {
  const snap = replicaDeleted();
  remove(snap, 'pvcs', 'hippo-instance1-wxyz-pgdata');
  const f = one(runChecks(snap, opts), 'InstanceMissing');
  assert.is(f.data?.reusePvc, null);
  assert.match(f.detail, 'fresh, empty volume');
  assert.is(f.subject, 'PostgresCluster/hippo');
});

test('a set that asks for a WAL volume reuses only a pgdata PVC that has its pgwal PVC', () => {
  const snap = replicaDeleted();
  hippo(snap).spec.instances[0].walVolumeClaimSpec = { accessModes: ['ReadWriteOnce'] };
  assert.is(one(runChecks(snap, opts), 'InstanceMissing').data?.reusePvc, null);
  const wal = structuredClone(obj(snap, 'pvcs', 'hippo-instance1-wxyz-pgdata'));
  wal.metadata.name = 'hippo-instance1-wxyz-pgwal';
  wal.metadata.labels![LABEL.role] = 'pgwal';
  snap.objects.pvcs.push(wal);
  assert.is(one(runChecks(snap, opts), 'InstanceMissing').data?.reusePvc, 'hippo-instance1-wxyz-pgdata');
});

test('replicas raised above the StatefulSets there are: counts them', () => {
  const snap = base();
  hippo(snap).spec.instances[0].replicas = 4;
  const f = one(runChecks(snap, opts), 'InstanceMissing');
  assert.is(f.data?.missing, 2);
  assert.equal(f.data?.instances, [null, null]);
});

test('replicas defaults to 1 and the set name to "00"', () => {
  const snap = base();
  hippo(snap).spec.instances = [{}];
  const fs = runChecks(snap, opts);
  const missing = one(fs, 'InstanceMissing');
  assert.is(missing.data?.set, '00');
  assert.is(missing.data?.desired, 1);
  // instance1's StatefulSets now belong to no set in the spec
  assert.is(byCode(fs, 'InstanceOrphaned').length, 2);
});

test('no InstanceMissing during shutdown', () => {
  const snap = replicaDeleted();
  hippo(snap).spec.shutdown = true;
  assert.equal(byCode(runChecks(snap, opts), 'InstanceMissing'), []);
});

test('StatefulSets not readable: no claim that they are missing', () => {
  const snap = base();
  snap.objects.statefulSets = [];
  snap.gaps.push({ resource: 'statefulsets', verb: 'list', namespace: 'db', status: 403, message: 'forbidden' });
  assert.equal(byCode(runChecks(snap, opts), 'InstanceMissing'), []);
});

test('InstanceOrphaned: StatefulSet of a set removed from the spec', () => {
  const snap = base();
  hippo(snap).spec.instances = [{ name: 'instance1', replicas: 1 }];
  // move wxyz to a set that is no longer in the spec
  for (const o of [obj(snap, 'statefulSets', 'hippo-instance1-wxyz'), obj(snap, 'pods', 'hippo-instance1-wxyz-0'), obj(snap, 'pvcs', 'hippo-instance1-wxyz-pgdata')]) {
    o.metadata.labels![LABEL.instanceSet] = 'old';
  }
  const f = one(runChecks(snap, opts), 'InstanceOrphaned');
  assert.is(f.severity, 'warning');
  assert.is(f.subject, 'StatefulSet/hippo-instance1-wxyz');
  assert.equal(f.data, { instance: 'hippo-instance1-wxyz', set: 'old', statefulSet: 'hippo-instance1-wxyz', pvcs: ['hippo-instance1-wxyz-pgdata'] });
  assert.match(f.message, 'set "old"');
});

test('InstanceOrphaned: a pgdata PVC alone, of a removed set', () => {
  const snap = base();
  const pvc = structuredClone(obj(snap, 'pvcs', 'hippo-instance1-wxyz-pgdata'));
  pvc.metadata.name = 'hippo-gone-q1q1-pgdata';
  pvc.metadata.labels![LABEL.instance] = 'hippo-gone-q1q1';
  pvc.metadata.labels![LABEL.instanceSet] = 'gone';
  snap.objects.pvcs.push(pvc);
  const f = one(runChecks(snap, opts), 'InstanceOrphaned');
  assert.is(f.subject, 'PersistentVolumeClaim/hippo-gone-q1q1-pgdata');
  assert.match(f.remedy, 'kubectl delete pvc hippo-gone-q1q1-pgdata -n db');
});

test('an unused pgdata PVC of a set still in the spec is not orphaned (PGO reuses it)', () => {
  const snap = replicaDeleted();
  assert.equal(byCode(runChecks(snap, opts), 'InstanceOrphaned'), []);
});

test.run();
