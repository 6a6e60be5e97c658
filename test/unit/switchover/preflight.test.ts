import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KObject } from '../../../lib/model/types.ts';
import { preflight, type PreflightInput } from '../../../lib/switchover/preflight.ts';
import type { ClusterView } from '../../../lib/view/cluster-view.ts';
import { finding, instance, pod, viewOf, yamlFixture, type InstanceSpec } from '../../helpers/hand-views.ts';

function healthyCluster(): KObject {
  const o = yamlFixture('heal/left-enabled.before.yaml');
  delete o.metadata.annotations!['postgres-operator.crunchydata.com/trigger-switchover'];
  o.spec.patroni = {};
  o.status = {};
  return o;
}

const P: InstanceSpec = { name: 'hippo-instance1-aaaa', set: 'instance1', role: 'master', lagBytes: 0 };
const R: InstanceSpec = { name: 'hippo-instance2-bbbb', set: 'instance2', role: 'replica', lagBytes: 0 };

function input(specs: InstanceSpec[] = [P, R], over: Partial<PreflightInput> = {}, obj: KObject = healthyCluster()): PreflightInput {
  const insts = specs.map((s) => instance(s));
  const view: ClusterView = viewOf(obj, insts);
  return { view, findings: [], pods: insts.flatMap((i) => (i.pod ? [i.pod] : [])), type: 'Switchover', ...over };
}

function codes(i: PreflightInput): string[] {
  const r = preflight(i);
  return r.refusals.map((x) => x.code);
}

test('a healthy two-instance cluster passes, and the only replica is chosen with a reason', () => {
  const r = preflight(input());
  assert.ok(r.ok, JSON.stringify(r.refusals));
  assert.is(r.target?.name, R.name);
  assert.is(r.primary?.name, P.name);
  assert.match(r.choice!, /chose hippo-instance2-bbbb: the only ready, running replica \(lag 0 B\)/);
});

test('without --to the replica with the least lag wins, and the others are named', () => {
  const r = preflight(input([P, { ...R, lagBytes: 5 * 1024 * 1024 }, { name: 'hippo-instance3-cccc', set: 'instance3', role: 'replica', lagBytes: 100 }]));
  assert.ok(r.ok);
  assert.is(r.target?.name, 'hippo-instance3-cccc');
  assert.match(r.choice!, /least lag \(100 B; hippo-instance2-bbbb 5\.0 MiB\)/);
});

test('without --to, replicas that are not ready or tagged nofailover are passed over', () => {
  const r = preflight(
    input([
      P,
      { ...R, ready: false },
      { name: 'hippo-instance3-cccc', set: 'instance3', role: 'replica', lagBytes: 0, memberStatus: { role: 'replica', tags: { nofailover: true } } },
      { name: 'hippo-instance4-dddd', set: 'instance4', role: 'replica', lagBytes: 9000 },
    ]),
  );
  assert.is(r.target?.name, 'hippo-instance4-dddd');
});

// The preflight matrix: every refusal, each from an otherwise healthy cluster.
const matrix: Array<[string, () => PreflightInput, string]> = [
  ['one instance', () => input([P]), 'TooFewInstances'],
  ['one instance, the other has only its volume left', () => input([P, { ...R, noStatefulSet: true }]), 'TooFewInstances'],
  ['--to names nothing', () => input(undefined, { to: 'nope' }), 'TargetNotFound'],
  ['--to is ambiguous', () => input([P, R, { name: 'hippo-instance2-cccc', set: 'instance2', role: 'replica' }], { to: 'instance2' }), 'TargetAmbiguous'],
  ['--to is the primary (the incident)', () => input(undefined, { to: P.name }), 'TargetIsPrimary'],
  ['--to has no Patroni role', () => input([P, { ...R, role: undefined }], { to: R.name }), 'TargetNotReplica'],
  ['--to is not ready', () => input([P, { ...R, ready: false }], { to: R.name }), 'TargetNotReady'],
  ['--to has no StatefulSet', () => input([P, R, { name: 'hippo-instance3-cccc', set: 'instance3', noStatefulSet: true }], { to: 'hippo-instance3-cccc' }), 'TargetNoStatefulSet'],
  [
    '--to has two running pods',
    () => {
      const i = input(undefined, { to: R.name });
      i.pods.push(pod('hippo-instance2-bbbb-x', R.name, { role: 'replica' }));
      return i;
    },
    'TargetPodCount',
  ],
  ['--to has no running pod', () => input([P, { ...R, phase: 'Pending', ready: false }], { to: R.name }), 'TargetPodCount'],
  ['--to lags above --max-lag', () => input([P, { ...R, lagBytes: 2048 }], { to: R.name, maxLagBytes: 1024 }), 'TargetLagging'],
  ['--to lag unknown with --max-lag', () => input([P, { ...R, lagBytes: undefined }], { to: R.name, maxLagBytes: 1024 }), 'TargetLagUnknown'],
  ['--to tagged nofailover in its member status', () => input([P, { ...R, memberStatus: { role: 'replica', tags: { nofailover: true } } }], { to: R.name }), 'TargetNoFailover'],
  ['--to tagged nofailover in its instance config', () => input(undefined, { to: R.name, configTags: { [R.name]: { nofailover: 'true' } } }), 'TargetNoFailover'],
  ['--to with failover_priority 0', () => input([P, { ...R, memberStatus: { tags: { failover_priority: 0 } } }], { to: R.name }), 'TargetNoFailover'],
  ['no replica can take over', () => input([P, { ...R, ready: false }]), 'NoCandidate'],
  ['failover without a target', () => input(undefined, { type: 'Failover' }), 'FailoverNeedsTarget'],
  ['switchover without a primary', () => input([{ ...P, role: undefined }, R], { to: R.name }), 'NoPrimary'],
  [
    'paused',
    () => {
      const o = healthyCluster();
      o.spec.paused = true;
      return input(undefined, {}, o);
    },
    'ClusterPaused',
  ],
  [
    'shut down',
    () => {
      const o = healthyCluster();
      o.spec.shutdown = true;
      return input(undefined, {}, o);
    },
    'ClusterShutdown',
  ],
  ['a switchover already pending', () => input(undefined, {}, yamlFixture('heal/switchover-blocked.before.yaml')), 'SwitchoverPending'],
  ['operator missing', () => input(undefined, { findings: [finding('OperatorMissing', null)] }), 'OperatorMissing'],
  ['operator not ready', () => input(undefined, { findings: [finding('OperatorNotReady', null)] }), 'OperatorNotReady'],
];

for (const [name, make, code] of matrix) {
  test(`refused: ${name} -> ${code}`, () => {
    const r = preflight(make());
    assert.is(r.ok, false);
    assert.ok(
      r.refusals.some((x) => x.code === code),
      `${code} expected in ${JSON.stringify(r.refusals)}`,
    );
    for (const x of r.refusals) {
      assert.ok(x.message.length > 10 && !x.message.includes('\n'), `one clear line: ${x.message}`);
    }
  });
}

test('a failover may go to a replica while there is no primary', () => {
  const r = preflight(input([{ ...P, role: undefined, ready: false }, R], { type: 'Failover', to: R.name }));
  assert.ok(r.ok, JSON.stringify(r.refusals));
});

test('every refusal is reported, not only the first', () => {
  const o = healthyCluster();
  o.spec.paused = true;
  assert.equal(codes(input([P], { to: P.name, findings: [finding('OperatorMissing', null)] }, o)).sort(), [
    'ClusterPaused',
    'OperatorMissing',
    'TargetIsPrimary',
    'TooFewInstances',
  ]);
});

test('operator findings of a cluster (not the operator) are not mistaken for operator trouble', () => {
  assert.ok(preflight(input(undefined, { findings: [finding('ReplicationLag', { namespace: 'db', name: 'hippo' })] })).ok);
});

test.run();
