import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { healthOf, runChecks } from '../../../lib/checks/index.ts';
import { LABEL, type Snapshot } from '../../../lib/model/types.ts';
import { base, byCode, HIPPO, hippo, obj, one, opts, remove } from '../../helpers/check-fixtures.ts';

const TRIGGER = 'Wed Nov 25 16:25:00 UTC 2026';

/** db/hippo with a switchover requested and not yet completed. */
function requested(sw: Record<string, unknown> = {}): Snapshot {
  const snap = base();
  const pc = hippo(snap);
  pc.spec.patroni = { switchover: { enabled: true, ...sw } };
  pc.metadata.annotations = { [LABEL.triggerSwitchover]: TRIGGER };
  return snap;
}

const blockedBy = (snap: Snapshot) => one(runChecks(snap, opts), 'SwitchoverBlocked');

test('a switchover that can succeed is pending, not blocked', () => {
  const fs = runChecks(requested({ targetInstance: 'hippo-instance1-wxyz' }), opts);
  assert.equal(byCode(fs, 'SwitchoverBlocked'), []);
  const f = one(fs, 'SwitchoverPending');
  assert.is(f.severity, 'warning');
  assert.match(f.message, 'to hippo-instance1-wxyz');
  assert.match(f.message, TRIGGER);
  assert.is(f.data?.trigger, TRIGGER);
});

test('no switchover requested: no switchover finding at all', () => {
  assert.equal(runChecks(base(), opts).filter((f) => f.code.startsWith('Switchover')), []);
});

test('a completed request (status equals trigger) is not pending', () => {
  const snap = requested({ targetInstance: 'hippo-instance1-abcd' });
  hippo(snap).status.patroni.switchover = TRIGGER;
  const fs = runChecks(snap, opts);
  assert.equal(byCode(fs, 'SwitchoverBlocked'), []);
  assert.equal(byCode(fs, 'SwitchoverPending'), []);
});

test('one instance left: "Need more than one instance to switchover", blocking', () => {
  const snap = requested();
  remove(snap, 'statefulSets', 'hippo-instance1-wxyz');
  remove(snap, 'pods', 'hippo-instance1-wxyz-0');
  const f = blockedBy(snap);
  assert.is(f.severity, 'error');
  assert.is(f.blocking, true);
  assert.is(f.data?.operatorError, 'Need more than one instance to switchover');
  assert.is(f.data?.reason, 'TooFewInstances');
  assert.match(f.detail, 'no Event and sets no condition');
  assert.is(healthOf(HIPPO, runChecks(snap, opts), snap), 'Blocked');
});

test('a pod without its StatefulSet still counts as an instance, as PGO counts them', () => {
  const snap = requested({ targetInstance: 'hippo-instance1-wxyz' });
  remove(snap, 'statefulSets', 'hippo-instance1-wxyz'); // deleted with --cascade=orphan: the pod lives on
  const fs = runChecks(snap, opts);
  assert.equal(byCode(fs, 'SwitchoverBlocked'), []);
  one(fs, 'SwitchoverPending');
});

test('Failover without targetInstance', () => {
  const f = blockedBy(requested({ type: 'Failover' }));
  assert.is(f.data?.operatorError, 'TargetInstance required when running failover');
  assert.is(f.data?.reason, 'FailoverWithoutTarget');
  assert.is(f.data?.targetInstance, null);
  assert.match(f.remedy, '"enabled":false');
});

test('Failover with a target is allowed', () => {
  const fs = runChecks(requested({ type: 'Failover', targetInstance: 'hippo-instance1-wxyz' }), opts);
  assert.equal(byCode(fs, 'SwitchoverBlocked'), []);
});

test('targetInstance that does not exist', () => {
  const f = blockedBy(requested({ targetInstance: 'hippo-instance1-zzzz' }));
  assert.is(f.data?.operatorError, 'TargetInstance was specified but not found in the cluster');
  assert.is(f.data?.reason, 'TargetNotFound');
  assert.match(f.detail, 'hippo-instance1-zzzz');
  assert.match(f.remedy, '"targetInstance":"hippo-instance1-wxyz"');
});

test('target instance with two pods', () => {
  const snap = requested({ targetInstance: 'hippo-instance1-wxyz' });
  const extra = structuredClone(obj(snap, 'pods', 'hippo-instance1-wxyz-0'));
  extra.metadata.name = 'hippo-instance1-wxyz-1';
  snap.objects.pods.push(extra);
  const f = blockedBy(snap);
  assert.is(f.data?.operatorError, 'TargetInstance should have one pod. Pods (2)');
  assert.is(f.data?.reason, 'TargetPodCount');
});

test('target instance whose pod is gone (StatefulSet still there)', () => {
  const snap = requested({ targetInstance: 'hippo-instance1-wxyz' });
  remove(snap, 'pods', 'hippo-instance1-wxyz-0');
  assert.is(blockedBy(snap).data?.operatorError, 'TargetInstance should have one pod. Pods (0)');
});

test('no pod with a running database container', () => {
  const snap = requested();
  for (const p of snap.objects.pods) {
    for (const c of p.status.containerStatuses) if (c.name === 'database') c.state = { waiting: { reason: 'CrashLoopBackOff' } };
  }
  const f = blockedBy(snap);
  assert.is(f.data?.operatorError, 'Could not find a running pod when attempting switchover.');
  assert.is(f.data?.reason, 'NoRunningPod');
});

test('target already primary: patronictl fails on every reconcile', () => {
  const f = blockedBy(requested({ targetInstance: 'hippo-instance1-abcd' }));
  assert.is(f.data?.reason, 'TargetIsPrimary');
  assert.is(f.data?.operatorError, 'patronictl switchover --scheduled=now --force --candidate=hippo-instance1-abcd-0: exit status 1');
  assert.match(f.remedy, 'already primary');
  assert.match(f.remedy, 'kubectl pgo heal hippo -n db');
});

test('no target and no ready replica to switch to', () => {
  const snap = requested();
  const p = obj(snap, 'pods', 'hippo-instance1-wxyz-0');
  delete p.metadata.labels![LABEL.role];
  p.status.conditions = p.status.conditions.map((c: { type: string }) => (c.type === 'Ready' ? { ...c, status: 'False' } : c));
  assert.is(blockedBy(snap).data?.reason, 'NoCandidate');
});

test('PGO\'s order: the instance count is tested before the target', () => {
  const snap = requested({ type: 'Failover' });
  remove(snap, 'statefulSets', 'hippo-instance1-wxyz');
  remove(snap, 'pods', 'hippo-instance1-wxyz-0');
  assert.is(blockedBy(snap).data?.reason, 'TooFewInstances');
});

test('left enabled after completion with the trigger still set: the loaded gun', () => {
  const snap = requested({ targetInstance: 'hippo-instance1-abcd' });
  hippo(snap).status.patroni.switchover = TRIGGER;
  const f = one(runChecks(snap, opts), 'SwitchoverLeftEnabled');
  assert.is(f.severity, 'warning');
  assert.match(f.remedy, `kubectl patch postgrescluster hippo -n db --type merge -p '{"spec":{"patroni":{"switchover":{"enabled":false}}}}'`);
  assert.match(f.remedy, 'kubectl annotate postgrescluster hippo -n db postgres-operator.crunchydata.com/trigger-switchover-');
  assert.is(healthOf(HIPPO, runChecks(snap, opts), snap), 'Degraded');
});

test('disabled after use with the annotation removed: nothing left armed', () => {
  const snap = base();
  hippo(snap).spec.patroni = { switchover: { enabled: false } };
  assert.equal(runChecks(snap, opts).filter((f) => f.code.startsWith('Switchover')), []);
});

test('disabled but the trigger annotation left behind: info', () => {
  const snap = base();
  hippo(snap).metadata.annotations = { [LABEL.triggerSwitchover]: TRIGGER };
  const f = one(runChecks(snap, opts), 'SwitchoverTriggerLeft');
  assert.is(f.severity, 'info');
  assert.match(f.remedy, 'trigger-switchover-');
});

test('marked completed while the target never became leader', () => {
  const snap = requested({ targetInstance: 'hippo-instance1-wxyz' });
  hippo(snap).status.patroni.switchover = TRIGGER;
  const f = one(runChecks(snap, opts), 'SwitchoverNotEffective');
  assert.match(f.message, 'hippo-instance1-abcd-0');
  assert.is(f.data?.leader, 'hippo-instance1-abcd-0');
});

test('pods not readable: a pending request is not called blocked on missing data', () => {
  const snap = requested();
  snap.objects.pods = [];
  snap.gaps.push({ resource: 'pods', verb: 'list', namespace: 'db', status: 403, message: 'forbidden' });
  const fs = runChecks(snap, opts);
  assert.equal(byCode(fs, 'SwitchoverBlocked'), []);
  assert.match(one(fs, 'SwitchoverPending').detail, 'could not be read');
});

test.run();
