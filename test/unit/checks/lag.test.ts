import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runChecks } from '../../../lib/checks/index.ts';
import { base, byCode, obj, one, opts, setMember } from '../../helpers/check-fixtures.ts';

const MiB = 1024 * 1024;

test('replica at the leader\'s optime: silent', () => {
  assert.equal(byCode(runChecks(base(), opts), 'ReplicationLag'), []);
});

test('replica 40 MiB behind the leader\'s optime: ReplicationLag', () => {
  const snap = base();
  obj(snap, 'endpoints', 'hippo-ha').metadata.annotations!.optime = String(50331648 + 40 * MiB);
  const f = one(runChecks(snap, opts), 'ReplicationLag');
  assert.is(f.severity, 'warning');
  assert.is(f.data?.lagBytes, 40 * MiB);
  assert.is(f.data?.instance, 'hippo-instance1-wxyz');
  assert.match(f.message, '40.0 MiB behind');
  assert.match(f.message, 'threshold 16.0 MiB');
});

test('the threshold is the caller\'s (--max-lag)', () => {
  const snap = base();
  obj(snap, 'endpoints', 'hippo-ha').metadata.annotations!.optime = String(50331648 + 40 * MiB);
  assert.equal(byCode(runChecks(snap, { ...opts, maxLagBytes: 64 * MiB }), 'ReplicationLag'), []);
});

test('lag from the replica\'s own report when the lease is stale', () => {
  const snap = base();
  setMember(obj(snap, 'pods', 'hippo-instance1-wxyz-0'), { xlog_location: 50331648 - 20 * MiB });
  assert.is(one(runChecks(snap, opts), 'ReplicationLag').data?.lagBytes, 20 * MiB);
});

test('the leader\'s own xlog_location counts when it is ahead of the lease', () => {
  const snap = base();
  setMember(obj(snap, 'pods', 'hippo-instance1-abcd-0'), { xlog_location: 50331648 + 17 * MiB });
  assert.is(one(runChecks(snap, opts), 'ReplicationLag').data?.lagBytes, 17 * MiB);
});

test('no Patroni status on the replica: no lag claimed', () => {
  const snap = base();
  delete obj(snap, 'pods', 'hippo-instance1-wxyz-0').metadata.annotations!.status;
  obj(snap, 'endpoints', 'hippo-ha').metadata.annotations!.optime = String(50331648 + 40 * MiB);
  assert.equal(byCode(runChecks(snap, opts), 'ReplicationLag'), []);
});

test.run();
