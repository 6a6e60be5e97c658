import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { healthOf, runChecks } from '../../../lib/checks/index.ts';
import { LABEL } from '../../../lib/model/types.ts';
import { base, byCode, codes, HIPPO, hippo, one, opts } from '../../helpers/check-fixtures.ts';
import { fixture, snapshotFromYaml } from '../../helpers/snapshot-from-yaml.ts';

test('spec.paused: ReconcilePaused, blocking', () => {
  const snap = base();
  hippo(snap).spec.paused = true;
  const fs = runChecks(snap, opts);
  const f = one(fs, 'ReconcilePaused');
  assert.is(f.severity, 'error');
  assert.is(f.blocking, true);
  assert.is(f.data?.reason, 'SpecPaused');
  assert.match(f.remedy, `kubectl patch postgrescluster hippo -n db --type merge -p '{"spec":{"paused":false}}'`);
  assert.is(healthOf(HIPPO, fs, snap), 'Blocked');
});

test('not paused: no ReconcilePaused', () => {
  assert.equal(byCode(runChecks(base(), opts), 'ReconcilePaused'), []);
});

test('backups removed while the repo host exists: the backup-removal pause', () => {
  const snap = base();
  delete hippo(snap).spec.backups;
  hippo(snap).status.conditions.push({ type: 'Progressing', status: 'False', reason: 'Paused', message: 'Reconciliation is paused: please fill in spec.backups' });
  const f = one(runChecks(snap, opts), 'ReconcilePaused');
  assert.is(f.data?.reason, 'BackupRemoval');
  assert.is(f.data?.repoHost, 'hippo-repo-host');
  assert.match(f.remedy, `${LABEL.authorizeBackupRemoval}=true`);
  assert.match(f.detail, 'Reconciliation is paused');
});

test('backups removed with removal authorised: PGO goes on, no pause', () => {
  const snap = base();
  delete hippo(snap).spec.backups;
  hippo(snap).metadata.annotations = { [LABEL.authorizeBackupRemoval]: 'true' };
  assert.equal(byCode(runChecks(snap, opts), 'ReconcilePaused'), []);
});

test('standby without host or repoName: InvalidStandbyConfiguration, blocking', () => {
  const snap = base();
  hippo(snap).spec.standby = { enabled: true };
  const f = one(runChecks(snap, opts), 'InvalidStandbyConfiguration');
  assert.is(f.blocking, true);
  assert.match(f.remedy, '"repoName":"repo1"');
});

test('standby with a repoName: fine', () => {
  const snap = base();
  hippo(snap).spec.standby = { enabled: true, repoName: 'repo1' };
  assert.equal(byCode(runChecks(snap, opts), 'InvalidStandbyConfiguration'), []);
});

test('shutdown: ClusterShutdown (info), and no NoPrimary/InstanceMissing for the pods it stopped', () => {
  const snap = snapshotFromYaml([fixture('clusters/shutdown.yaml')], { takenAt: opts.now.toISOString() });
  const fs = runChecks(snap, opts);
  assert.equal(codes(fs), ['ClusterShutdown']);
  assert.is(fs[0].severity, 'info');
  assert.equal(fs[0].cluster, { namespace: 'analytics', name: 'rhino' });
  assert.is(healthOf({ namespace: 'analytics', name: 'rhino' }, fs, snap), 'Healthy');
});

test('running cluster: no ClusterShutdown', () => {
  assert.equal(byCode(runChecks(base(), opts), 'ClusterShutdown'), []);
});

test.run();
