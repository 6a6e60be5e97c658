import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runChecks } from '../../../lib/checks/index.ts';
import { base, byCode, NOW, obj, one, opts } from '../../helpers/check-fixtures.ts';

const podCodes = ['PodNotReady', 'PodPending', 'ContainerCrashLooping'];
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();

test('all pods running and ready: silent', () => {
  assert.equal(runChecks(base(), opts).filter((f) => podCodes.includes(f.code)), []);
});

test('running but not ready: PodNotReady names the containers', () => {
  const snap = base();
  const p = obj(snap, 'pods', 'hippo-instance1-wxyz-0');
  p.status.conditions.find((c: { type: string }) => c.type === 'Ready').status = 'False';
  p.status.containerStatuses[0].ready = false;
  const f = one(runChecks(snap, opts), 'PodNotReady');
  assert.is(f.subject, 'Pod/hippo-instance1-wxyz-0');
  assert.match(f.message, 'containers not ready: database');
  assert.match(f.remedy, 'kubectl logs hippo-instance1-wxyz-0 -n db -c database');
});

test('Pending for minutes, unschedulable: PodPending with the scheduler\'s reason', () => {
  const snap = base();
  const p = obj(snap, 'pods', 'hippo-instance1-wxyz-0');
  p.metadata.creationTimestamp = minutesAgo(5);
  p.status = {
    phase: 'Pending',
    conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient memory.' }],
  };
  const f = one(runChecks(snap, opts), 'PodPending');
  assert.match(f.message, 'Unschedulable: 0/3 nodes are available: 3 Insufficient memory.');
  assert.is(f.data?.reason, 'Unschedulable');
});

test('Pending for a few seconds: still starting, silent', () => {
  const snap = base();
  const p = obj(snap, 'pods', 'hippo-instance1-wxyz-0');
  p.metadata.creationTimestamp = new Date(NOW.getTime() - 10_000).toISOString();
  p.status = { phase: 'Pending' };
  assert.equal(byCode(runChecks(snap, opts), 'PodPending'), []);
});

test('database container in CrashLoopBackOff: ContainerCrashLooping (error) with reason and restarts', () => {
  const snap = base();
  const p = obj(snap, 'pods', 'hippo-instance1-wxyz-0');
  p.status.conditions.find((c: { type: string }) => c.type === 'Ready').status = 'False';
  p.status.containerStatuses[0] = {
    name: 'database', ready: false, restartCount: 12,
    state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } },
    lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: minutesAgo(2) } },
  };
  const fs = runChecks(snap, opts);
  const f = one(fs, 'ContainerCrashLooping');
  assert.is(f.severity, 'error');
  assert.match(f.message, 'CrashLoopBackOff');
  assert.match(f.message, '12 restarts');
  assert.match(f.message, 'Error (code 1)');
  assert.equal([f.data?.reason, f.data?.restarts], ['CrashLoopBackOff', 12]);
  assert.match(f.remedy, 'kubectl logs hippo-instance1-wxyz-0 -n db -c database --previous');
  assert.equal(byCode(fs, 'PodNotReady'), [], 'one finding per pod problem');
});

test('sidecar restarting often, recently: ContainerCrashLooping (warning)', () => {
  const snap = base();
  const p = obj(snap, 'pods', 'hippo-repo-host-0');
  p.status.containerStatuses[1].restartCount = 4;
  p.status.containerStatuses[1].lastState = { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: minutesAgo(1) } };
  const f = one(runChecks(snap, opts), 'ContainerCrashLooping');
  assert.is(f.severity, 'warning');
  assert.match(f.message, 'OOMKilled');
});

test('restarts long ago: history, silent', () => {
  const snap = base();
  const p = obj(snap, 'pods', 'hippo-instance1-abcd-0');
  p.status.containerStatuses[0].restartCount = 7;
  p.status.containerStatuses[0].lastState = { terminated: { reason: 'Error', exitCode: 1, finishedAt: minutesAgo(120) } };
  assert.equal(byCode(runChecks(snap, opts), 'ContainerCrashLooping'), []);
});

test.run();
