import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyMergePatch } from '../../../lib/apply/merge-patch.ts';
import { disarmSwitchoverPatch, planHeal } from '../../../lib/plan/heal.ts';
import type { ClusterRef, KObject } from '../../../lib/model/types.ts';
import { finding, recordedCluster, viewOf, yamlFixture } from '../../helpers/hand-views.ts';

const hippo: ClusterRef = { namespace: 'db', name: 'hippo' };
const TRIGGER = 'postgres-operator.crunchydata.com/trigger-switchover';

function afterOf(before: KObject, patch: Record<string, unknown>): KObject {
  return applyMergePatch(before, patch);
}

test('SwitchoverBlocked: one conditional patch that disables the switchover and drops the trigger (fixture before -> after)', () => {
  const before = yamlFixture('heal/switchover-blocked.before.yaml');
  const plan = planHeal([viewOf(before)], [finding('SwitchoverBlocked', hippo)], { unpause: false });
  assert.is(plan.planned.changes.length, 1);
  const c = plan.planned.changes[0];
  assert.equal(c.patch, {
    metadata: { resourceVersion: '878', annotations: { [TRIGGER]: null } },
    spec: { patroni: { switchover: { enabled: false } } },
  });
  assert.is(c.resourceVersion, '878');
  assert.is(c.target.kind, 'PostgresCluster');
  assert.is(c.target.plural, 'postgresclusters');
  assert.is(c.target.apiVersion, 'postgres-operator.crunchydata.com/v1beta1');
  assert.equal(afterOf(before, c.patch), yamlFixture('heal/switchover-blocked.after.yaml'));
  assert.is(plan.planned.before.get('postgresclusters/db/hippo'), before);
  assert.equal(c.reasons.map((r) => r.code), ['SwitchoverBlocked']);
  assert.match(c.reasons[0].why, /before it creates missing instance StatefulSets/);
});

test('the object recorded from the real operator in the incident gets the same patch, and its trigger is gone after', () => {
  const before = recordedCluster('v5.8.9', 'switchover-stuck-target-is-primary.yaml');
  const plan = planHeal([viewOf(before)], [finding('SwitchoverBlocked', hippo)], { unpause: false });
  const c = plan.planned.changes[0];
  assert.equal(c.patch, disarmSwitchoverPatch(before.metadata.resourceVersion!));
  const after = afterOf(before, c.patch);
  assert.is(after.metadata.annotations?.[TRIGGER], undefined);
  assert.ok(after.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'], 'other annotations stay');
  assert.is(after.spec.patroni.switchover.enabled, false);
  assert.equal(after.spec.instances, before.spec.instances, 'instances untouched');
});

test('SwitchoverLeftEnabled: the same disarming patch (fixture before -> after)', () => {
  const before = yamlFixture('heal/left-enabled.before.yaml');
  const plan = planHeal([viewOf(before)], [finding('SwitchoverLeftEnabled', hippo, { severity: 'warning' })], { unpause: false });
  const c = plan.planned.changes[0];
  assert.equal(c.patch, disarmSwitchoverPatch('1200'));
  assert.equal(afterOf(before, c.patch), yamlFixture('heal/left-enabled.after.yaml'));
});

test('SwitchoverTriggerLeft (disabled, annotation kept): the annotation goes, the switchover stays disabled', () => {
  const before = yamlFixture('heal/left-enabled.before.yaml');
  before.spec.patroni.switchover.enabled = false;
  const plan = planHeal([viewOf(before)], [finding('SwitchoverTriggerLeft', hippo, { severity: 'info' })], { unpause: false });
  const after = afterOf(before, plan.planned.changes[0].patch);
  assert.is(after.metadata.annotations?.[TRIGGER], undefined);
  assert.is(after.spec.patroni.switchover.enabled, false);
});

test('both switchover findings at once still make one change with both reasons', () => {
  const before = yamlFixture('heal/switchover-blocked.before.yaml');
  const plan = planHeal([viewOf(before)], [finding('SwitchoverBlocked', hippo), finding('SwitchoverLeftEnabled', hippo)], { unpause: false });
  assert.is(plan.planned.changes.length, 1);
  assert.equal(plan.planned.changes[0].reasons.map((r) => r.code), ['SwitchoverBlocked', 'SwitchoverLeftEnabled']);
});

test('ReconcilePaused without --unpause: no change, and it says which flag would do it', () => {
  const before = yamlFixture('heal/paused-and-blocked.before.yaml');
  const plan = planHeal([viewOf(before)], [finding('ReconcilePaused', hippo, { severity: 'warning' })], { unpause: false });
  assert.is(plan.planned.changes.length, 0);
  assert.is(plan.clusters[0].notHealed.length, 1);
  assert.match(plan.clusters[0].notHealed[0].reason, /--unpause/);
});

test('ReconcilePaused with --unpause and a blocked switchover: one patch does both (fixture before -> after)', () => {
  const before = yamlFixture('heal/paused-and-blocked.before.yaml');
  const plan = planHeal([viewOf(before)], [finding('SwitchoverBlocked', hippo), finding('ReconcilePaused', hippo)], { unpause: true });
  assert.is(plan.planned.changes.length, 1);
  const c = plan.planned.changes[0];
  assert.equal(c.patch, {
    metadata: { resourceVersion: '42', annotations: { [TRIGGER]: null } },
    spec: { patroni: { switchover: { enabled: false } }, paused: false },
  });
  assert.equal(afterOf(before, c.patch), yamlFixture('heal/paused-and-blocked.after.yaml'));
  assert.equal(plan.clusters[0].notes, []);
});

test('a blocked switchover on a paused cluster without --unpause: disarmed, pause kept, and a note that PGO will not act', () => {
  const before = yamlFixture('heal/paused-and-blocked.before.yaml');
  const plan = planHeal([viewOf(before)], [finding('SwitchoverBlocked', hippo), finding('ReconcilePaused', hippo)], { unpause: false });
  const c = plan.planned.changes[0];
  assert.equal(afterOf(before, c.patch), yamlFixture('heal/paused-and-blocked.after-without-unpause.yaml'));
  assert.match(plan.clusters[0].notes.join('\n'), /spec\.paused: true.*--unpause/);
});

test('ReconcilePaused caused by removed backups (spec.paused not set) is never lifted, even with --unpause', () => {
  const before = yamlFixture('heal/left-enabled.before.yaml');
  const plan = planHeal([viewOf(before)], [finding('ReconcilePaused', hippo)], { unpause: true });
  assert.is(plan.planned.changes.length, 0);
  assert.match(plan.clusters[0].notHealed[0].reason, /backup/);
});

test('findings without a remedy: no change; those blocked by a healed finding are expected to clear', () => {
  const before = yamlFixture('heal/switchover-blocked.before.yaml');
  const findings = [
    finding('SwitchoverBlocked', hippo),
    finding('InstanceMissing', hippo, { blockedBy: 'SwitchoverBlocked', data: { instance: 'hippo-instance2-k5cc' } }),
    finding('ReplicationLag', hippo, { severity: 'warning' }),
    finding('ContainerCrashLooping', hippo),
  ];
  const plan = planHeal([viewOf(before)], findings, { unpause: false });
  assert.is(plan.planned.changes.length, 1);
  const nh = plan.clusters[0].notHealed;
  assert.equal(nh.map((n) => [n.finding.code, n.clearsAfterHeal]), [
    ['InstanceMissing', true],
    ['ReplicationLag', false],
    ['ContainerCrashLooping', false],
  ]);
  assert.match(nh[0].reason, /once SwitchoverBlocked is healed/);
});

test('only-unremediable findings: nothing to write', () => {
  const before = yamlFixture('heal/left-enabled.before.yaml');
  const plan = planHeal([viewOf(before)], [finding('NoPrimary', hippo), finding('SwitchoverPending', hippo, { severity: 'info' })], { unpause: true });
  assert.is(plan.planned.changes.length, 0);
  // The error is left for a person; information (severity info) is not a problem left unhealed.
  assert.equal(plan.clusters[0].notHealed.map((n) => n.finding.code), ['NoPrimary']);
});

test('idempotent: the healed object with no findings plans nothing', () => {
  const before = yamlFixture('heal/switchover-blocked.before.yaml');
  const first = planHeal([viewOf(before)], [finding('SwitchoverBlocked', hippo)], { unpause: false });
  const after = afterOf(before, first.planned.changes[0].patch);
  const second = planHeal([viewOf(after)], [], { unpause: false });
  assert.is(second.planned.changes.length, 0);
  assert.is(second.clusters[0].remedied.length, 0);
});

test('-A: findings go to their own cluster; operator findings are kept apart', () => {
  const a = yamlFixture('heal/switchover-blocked.before.yaml');
  const b = structuredClone(a);
  b.metadata.namespace = 'other';
  b.metadata.resourceVersion = '9';
  const c = structuredClone(a);
  c.metadata.name = 'quiet';
  const plan = planHeal([viewOf(a), viewOf(b), viewOf(c)], [finding('SwitchoverBlocked', { namespace: 'other', name: 'hippo' }), finding('OperatorNotReady', null)], {
    unpause: false,
  });
  assert.is(plan.planned.changes.length, 1);
  assert.is(plan.planned.changes[0].target.namespace, 'other');
  assert.is((plan.planned.changes[0].patch.metadata as { resourceVersion: string }).resourceVersion, '9');
  assert.equal(plan.operator.map((f) => f.code), ['OperatorNotReady']);
});

test('the v1 API of PGO v6 is kept in the target (no hard-coded version)', () => {
  const before = yamlFixture('heal/switchover-blocked.before.yaml');
  before.apiVersion = 'postgres-operator.crunchydata.com/v1';
  const plan = planHeal([viewOf(before)], [finding('SwitchoverBlocked', hippo)], { unpause: false });
  assert.is(plan.planned.changes[0].target.apiVersion, 'postgres-operator.crunchydata.com/v1');
});

test.run();
