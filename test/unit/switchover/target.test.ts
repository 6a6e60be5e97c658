import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { requestPatch, freshTrigger } from '../../../lib/switchover/patch.ts';
import { resolveTarget } from '../../../lib/switchover/resolve.ts';
import { switchoverState } from '../../../lib/switchover/verify.ts';
import type { KObject } from '../../../lib/model/types.ts';
import { instance, viewOf, yamlFixture } from '../../helpers/hand-views.ts';

const insts = () => [
  instance({ name: 'hippo-instance1-hcjs', set: 'instance1', role: 'master' }),
  instance({ name: 'hippo-instance2-k5cc', set: 'instance2', role: 'replica' }),
  instance({ name: 'hippo-big-aa11', set: 'big', role: 'replica' }),
  instance({ name: 'hippo-big-bb22', set: 'big', role: 'replica' }),
];
const view = () => viewOf(yamlFixture('heal/left-enabled.before.yaml'), insts());

function target(to: string): string {
  const r = resolveTarget(view(), to);
  return 'refusal' in r ? r.refusal.code : r.instance.name;
}

test('--to resolves an instance name, a pod name, a set name and a suffix', () => {
  assert.is(target('hippo-instance2-k5cc'), 'hippo-instance2-k5cc');
  assert.is(target('hippo-instance2-k5cc-0'), 'hippo-instance2-k5cc');
  assert.is(target('instance2'), 'hippo-instance2-k5cc');
  assert.is(target('k5cc'), 'hippo-instance2-k5cc');
  assert.is(target('instance2-k5cc'), 'hippo-instance2-k5cc');
  assert.is(target('bb22'), 'hippo-big-bb22');
});

test('--to that matches several instances, or none, is refused with the candidates named', () => {
  const amb = resolveTarget(view(), 'big');
  assert.ok('refusal' in amb && amb.refusal.code === 'TargetAmbiguous' && /hippo-big-aa11, hippo-big-bb22/.test(amb.refusal.message));
  const none = resolveTarget(view(), 'instance9');
  assert.ok('refusal' in none && none.refusal.code === 'TargetNotFound' && /instances: hippo-instance1-hcjs, hippo-instance2-k5cc/.test(none.refusal.message));
  assert.is(target('hcj'), 'TargetNotFound', 'a partial suffix is not a suffix');
});

test('the write: one patch enables the switchover with target and type, sets the trigger, and is conditional', () => {
  assert.equal(requestPatch('1234', 'hippo-instance2-k5cc', 'Switchover', 'T1'), {
    metadata: { resourceVersion: '1234', annotations: { 'postgres-operator.crunchydata.com/trigger-switchover': 'T1' } },
    spec: { patroni: { switchover: { enabled: true, targetInstance: 'hippo-instance2-k5cc', type: 'Switchover' } } },
  });
  assert.equal((requestPatch('1', 'x', 'Failover', 't').spec as KObject['spec']).patroni.switchover.type, 'Failover');
});

test('a fresh trigger: the time (RFC 3339) plus randomness, never the same twice', () => {
  const now = new Date('2026-11-25T19:00:00.000Z');
  const a = freshTrigger(now, () => 0.1);
  assert.match(a, /^2026-11-25T19:00:00\.000Z-[0-9a-f]{4}$/);
  assert.is.not(a, freshTrigger(now, () => 0.2));
});

function afterSwitch(opts: { statusDone: boolean; leader: string; labelOn: string[] }) {
  const o = yamlFixture('heal/left-enabled.before.yaml');
  o.status = { patroni: { switchover: opts.statusDone ? 'T' : 'old' } };
  const list = [
    instance({ name: 'hippo-instance1-hcjs', set: 'instance1', role: opts.labelOn.includes('hippo-instance1-hcjs') ? 'master' : 'replica' }),
    instance({ name: 'hippo-instance2-k5cc', set: 'instance2', role: opts.labelOn.includes('hippo-instance2-k5cc') ? 'master' : 'replica' }),
  ];
  return viewOf(o, list, { leader: opts.leader });
}

test('verified only when the status, the leader annotation and the role labels all agree', () => {
  const done = switchoverState(afterSwitch({ statusDone: true, leader: 'hippo-instance2-k5cc-0', labelOn: ['hippo-instance2-k5cc'] }), 'T', 'hippo-instance2-k5cc');
  assert.ok(done.done);
});

test('the timeline trap: status says done while the old primary still leads -> not verified', () => {
  const s = switchoverState(afterSwitch({ statusDone: true, leader: 'hippo-instance1-hcjs-0', labelOn: ['hippo-instance1-hcjs'] }), 'T', 'hippo-instance2-k5cc');
  assert.is(s.done, false);
  assert.match(s.line, /says done but the leader is still hippo-instance1-hcjs-0/);
});

test('leader moved but labels or status lag behind -> still waiting, and the line says which', () => {
  const a = switchoverState(afterSwitch({ statusDone: false, leader: 'hippo-instance2-k5cc-0', labelOn: ['hippo-instance2-k5cc'] }), 'T', 'hippo-instance2-k5cc');
  assert.is(a.done, false);
  assert.match(a.line, /PGO has not recorded/);
  const b = switchoverState(afterSwitch({ statusDone: true, leader: 'hippo-instance2-k5cc-0', labelOn: ['hippo-instance1-hcjs', 'hippo-instance2-k5cc'] }), 'T', 'hippo-instance2-k5cc');
  assert.is(b.done, false);
  assert.match(b.line, /leader label still on hippo-instance1-hcjs-0/);
  const c = switchoverState(afterSwitch({ statusDone: false, leader: 'hippo-instance1-hcjs-0', labelOn: ['hippo-instance1-hcjs'] }), 'T', 'hippo-instance2-k5cc');
  assert.match(c.line, /has not completed the switchover yet \(leader hippo-instance1-hcjs-0/);
});

test.run();
