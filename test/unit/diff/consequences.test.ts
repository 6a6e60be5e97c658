import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { manifestConsequences, newFindings } from '../../../lib/diff/consequences.ts';
import type { KObject, Finding } from '../../../lib/model/types.ts';

const TRIGGER = 'postgres-operator.crunchydata.com/trigger-switchover';

function cluster(spec: object, annotations: Record<string, string> = {}, status: object = {}): KObject {
  return { apiVersion: 'postgres-operator.crunchydata.com/v1beta1', kind: 'PostgresCluster', metadata: { name: 'hippo', namespace: 'db', annotations }, spec, status };
}
const two = { postgresVersion: 16, instances: [{ name: 'instance1', replicas: 2 }] };
const twoSets = { postgresVersion: 16, instances: [{ name: 'instance1', replicas: 1 }, { name: 'instance2', replicas: 1 }] };

test('removing an instance set is data loss, said first', () => {
  const c = manifestConsequences(cluster(twoSets), cluster({ ...twoSets, instances: [twoSets.instances[0]], paused: true }), undefined);
  assert.is(c[0].code, 'InstanceSetRemoved');
  assert.ok(c[0].dataLoss);
  assert.match(c[0].message, /DATA LOSS: removing instance set "instance2"/);
  assert.match(c[0].message, /AND their PersistentVolumeClaims/);
  assert.ok(c.some((x) => x.code === 'Pauses'));
});

test('lowering a set to one instance while a switchover is enabled: PGO will block', () => {
  const sw = { patroni: { switchover: { enabled: true } } };
  const c = manifestConsequences(cluster({ ...two, ...sw }), cluster({ ...two, ...sw, instances: [{ name: 'instance1', replicas: 1 }] }), undefined);
  const codes = c.map((x) => x.code);
  assert.ok(codes.includes('InstancesScaledDown'));
  assert.ok(codes.includes('SwitchoverWillBlock'));
  assert.match(c.find((x) => x.code === 'SwitchoverWillBlock')!.message, /Need more than one instance to switchover/);
});

test('enabling switchover with a trigger annotation already set starts a switchover at once', () => {
  const live = cluster(two, { [TRIGGER]: 'old' }, { patroni: { switchover: 'older' } });
  const next = cluster({ ...two, patroni: { switchover: { enabled: true, targetInstance: 'hippo-instance1-abcd' } } }, { [TRIGGER]: 'old' }, { patroni: { switchover: 'older' } });
  const c = manifestConsequences(live, next, undefined);
  assert.equal(c.map((x) => x.code), ['SwitchoverStarts']);
  assert.match(c[0].message, /starts at once/);
});

test('an unchanged manifest has no consequences', () => {
  assert.equal(manifestConsequences(cluster(two), cluster(two), undefined), []);
});

test('newFindings keeps only what the predicted state adds', () => {
  const f = (code: string, subject: string): Finding => ({ code, subject, severity: 'error', cluster: null, message: '', detail: '', remedy: '' });
  assert.equal(newFindings([f('A', 'x')], [f('A', 'x'), f('B', 'x'), f('A', 'y')]).map((x) => `${x.code}/${x.subject}`), ['B/x', 'A/y']);
});

test.run();
