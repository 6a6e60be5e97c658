import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runChecks } from '../../../lib/checks/index.ts';
import { LABEL } from '../../../lib/model/types.ts';
import { base, byCode, hippo, obj, one, opts } from '../../helpers/check-fixtures.ts';

const primaryCodes = ['NoPrimary', 'MultiplePrimaries', 'LeaderMismatch'];

test('one master, named by the leader lease: silent', () => {
  assert.equal(runChecks(base(), opts).filter((f) => primaryCodes.includes(f.code)), []);
});

test('"primary" is the same as "master" (newer Patroni)', () => {
  const snap = base();
  obj(snap, 'pods', 'hippo-instance1-abcd-0').metadata.labels![LABEL.role] = 'primary';
  assert.equal(runChecks(snap, opts).filter((f) => primaryCodes.includes(f.code)), []);
});

test('no pod labelled master: NoPrimary', () => {
  const snap = base();
  delete obj(snap, 'pods', 'hippo-instance1-abcd-0').metadata.labels![LABEL.role];
  const f = one(runChecks(snap, opts), 'NoPrimary');
  assert.is(f.severity, 'error');
  assert.match(f.message, 'among 2 instance pods');
  assert.match(f.message, 'leader lease still names hippo-instance1-abcd-0');
  assert.match(f.remedy, 'patronictl list');
});

test('a cluster that never bootstrapped has no primary yet: no NoPrimary', () => {
  const snap = base();
  delete obj(snap, 'pods', 'hippo-instance1-abcd-0').metadata.labels![LABEL.role];
  delete hippo(snap).status.patroni.systemIdentifier;
  assert.equal(byCode(runChecks(snap, opts), 'NoPrimary'), []);
});

test('two pods labelled master: MultiplePrimaries', () => {
  const snap = base();
  obj(snap, 'pods', 'hippo-instance1-wxyz-0').metadata.labels![LABEL.role] = 'master';
  const f = one(runChecks(snap, opts), 'MultiplePrimaries');
  assert.equal(f.data?.pods, ['hippo-instance1-abcd-0', 'hippo-instance1-wxyz-0']);
});

test('label and lease disagree: LeaderMismatch', () => {
  const snap = base();
  obj(snap, 'endpoints', 'hippo-ha').metadata.annotations!.leader = 'hippo-instance1-wxyz-0';
  const f = one(runChecks(snap, opts), 'LeaderMismatch');
  assert.is(f.severity, 'warning');
  assert.equal(f.data, { labelled: 'hippo-instance1-abcd-0', leader: 'hippo-instance1-wxyz-0' });
});

test('no leader lease at all: LeaderMismatch', () => {
  const snap = base();
  snap.objects.endpoints = [];
  assert.match(one(runChecks(snap, opts), 'LeaderMismatch').message, 'does not exist');
});

test('Endpoints not readable: no LeaderMismatch from missing data', () => {
  const snap = base();
  snap.objects.endpoints = [];
  snap.gaps.push({ resource: 'endpoints', verb: 'list', namespace: 'db', status: 403, message: 'forbidden' });
  assert.equal(byCode(runChecks(snap, opts), 'LeaderMismatch'), []);
});

test.run();
