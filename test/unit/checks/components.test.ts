import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runChecks } from '../../../lib/checks/index.ts';
import { LABEL } from '../../../lib/model/types.ts';
import { base, byCode, hippo, obj, one, opts, remove } from '../../helpers/check-fixtures.ts';

test('repo host, pgBouncer and the last backup fine: silent', () => {
  const fs = runChecks(base(), opts);
  assert.equal(fs.filter((f) => ['RepoHostMissing', 'PgBouncerUnavailable', 'BackupFailing'].includes(f.code)), []);
});

test('volume repo without its repo host: RepoHostMissing', () => {
  const snap = base();
  remove(snap, 'statefulSets', 'hippo-repo-host');
  const f = one(runChecks(snap, opts), 'RepoHostMissing');
  assert.is(f.severity, 'error');
  assert.equal(f.data?.repos, ['repo1']);
  assert.is(f.blockedBy, undefined);
});

test('repo host missing while a switchover is stuck: blocked by it', () => {
  const snap = base();
  remove(snap, 'statefulSets', 'hippo-repo-host');
  hippo(snap).spec.patroni = { switchover: { enabled: true, targetInstance: 'hippo-instance1-abcd' } };
  hippo(snap).metadata.annotations = { [LABEL.triggerSwitchover]: 't1' };
  const f = one(runChecks(snap, opts), 'RepoHostMissing');
  assert.is(f.blockedBy, 'SwitchoverBlocked');
  assert.is(f.blocking, true);
});

test('cloud-only repos need no repo host', () => {
  const snap = base();
  remove(snap, 'statefulSets', 'hippo-repo-host');
  hippo(snap).spec.backups.pgbackrest.repos = [{ name: 'repo1', s3: { bucket: 'b', endpoint: 'e', region: 'r' } }];
  assert.equal(byCode(runChecks(snap, opts), 'RepoHostMissing'), []);
});

test('pgBouncer configured, Deployment missing: PgBouncerUnavailable', () => {
  const snap = base();
  remove(snap, 'deployments', 'hippo-pgbouncer');
  const f = one(runChecks(snap, opts), 'PgBouncerUnavailable');
  assert.is(f.data?.exists, false);
});

test('pgBouncer with 0 available: PgBouncerUnavailable', () => {
  const snap = base();
  obj(snap, 'deployments', 'hippo-pgbouncer').status = { replicas: 1, unavailableReplicas: 1 };
  const f = one(runChecks(snap, opts), 'PgBouncerUnavailable');
  assert.match(f.message, '0 of 1 replicas available');
});

test('pgBouncer not configured: silent even without a Deployment', () => {
  const snap = base();
  delete hippo(snap).spec.proxy;
  remove(snap, 'deployments', 'hippo-pgbouncer');
  assert.equal(byCode(runChecks(snap, opts), 'PgBouncerUnavailable'), []);
});

function failedJob(snap: ReturnType<typeof base>, name: string, created: string) {
  const j = structuredClone(obj(snap, 'jobs', 'hippo-backup-m7tq'));
  j.metadata.name = name;
  j.metadata.creationTimestamp = created;
  j.metadata.labels![`${LABEL.prefix}pgbackrest-backup`] = 'manual';
  j.status = { failed: 3, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] };
  snap.objects.jobs.push(j);
}

test('latest backup Job failed: BackupFailing', () => {
  const snap = base();
  failedJob(snap, 'hippo-backup-x9z2', '2026-11-25T16:20:00Z');
  const f = one(runChecks(snap, opts), 'BackupFailing');
  assert.is(f.subject, 'Job/hippo-backup-x9z2');
  assert.match(f.message, 'BackoffLimitExceeded');
  assert.equal([f.data?.repo, f.data?.type], ['repo1', 'manual']);
  assert.match(f.remedy, 'kubectl logs -n db job/hippo-backup-x9z2');
});

test('an older failure followed by a success: silent', () => {
  const snap = base();
  failedJob(snap, 'hippo-backup-a1a1', '2026-11-25T16:00:00Z');
  assert.equal(byCode(runChecks(snap, opts), 'BackupFailing'), []);
});

test.run();
