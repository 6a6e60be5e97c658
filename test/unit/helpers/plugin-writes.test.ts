// The e2e suites' "changed nothing" comparison (test/helpers/plugin-writes.ts) must ignore what an
// operator writes on its own schedule and still catch every write the plugin could make.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FIELD_MANAGER } from '../../../lib/kube/client.ts';
import { find, recorded, type Obj } from '../../helpers/operator.ts';
import { assertNoPluginWrite, pluginWrites } from '../../helpers/plugin-writes.ts';

const base = (): Obj => {
  const pc = structuredClone(find(recorded('v5.8.9', 'healthy.yaml'), 'PostgresCluster', 'hippo'));
  pc.metadata.resourceVersion = '1513';
  pc.metadata.managedFields = [
    { manager: 'kubectl-client-side-apply', operation: 'Update', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } },
    { manager: 'postgrescluster-controller', operation: 'Apply', subresource: 'status', time: '2026-01-01T00:00:01Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} } },
  ];
  return pc;
};

test('the operator writing status, finalizers and its own managedFields entry is no write of ours', () => {
  const before = base();
  const after = structuredClone(before);
  after.metadata.resourceVersion = '1526';
  after.status.instances[0].readyReplicas = 0;
  after.status.conditions = [];
  after.metadata.finalizers = ['postgres-operator.crunchydata.com/finalizer'];
  after.metadata.managedFields[1].time = '2026-01-01T00:00:09Z';
  assert.equal(pluginWrites(before, after), []);
  assertNoPluginWrite(before, after);
});

test('a merge patch by our field manager is caught even when it left the spec as it was', () => {
  const before = base();
  const after = structuredClone(before);
  after.metadata.managedFields.push({ manager: FIELD_MANAGER, operation: 'Update', time: '2026-01-01T00:00:10Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:annotations': {} } } });
  assert.equal(pluginWrites(before, after).map((w) => w.split(':')[0]), ['managedFields']);
  assert.throws(() => assertNoPluginWrite(before, after, 'hippo'), /hippo was written \(field manager kubectl-pgo/);
});

test('our entry written again (a new time) is a write', () => {
  const before = base();
  before.metadata.managedFields.push({ manager: FIELD_MANAGER, operation: 'Update', time: '2026-01-01T00:00:10Z', fieldsType: 'FieldsV1', fieldsV1: {} });
  const after = structuredClone(before);
  after.metadata.managedFields[2].time = '2026-01-01T00:00:11Z';
  assert.equal(pluginWrites(before, after).length, 1);
});

test('spec, generation, annotations and labels changed by any manager are caught, each by name', () => {
  const before = base();
  const after = structuredClone(before);
  after.spec.patroni = { switchover: { enabled: true } };
  after.metadata.generation = (before.metadata.generation ?? 1) + 1;
  after.metadata.annotations = { 'postgres-operator.crunchydata.com/trigger-switchover': 'x' };
  after.metadata.labels = { a: 'b' };
  assert.equal(pluginWrites(before, after).map((w) => w.split(':')[0]).sort(), ['annotations', 'generation', 'labels', 'spec']);
});

test('a recreated object (another uid) is caught', () => {
  const before = base();
  const after = structuredClone(before);
  after.metadata.uid = 'other';
  assert.equal(pluginWrites(before, after).map((w) => w.split(':')[0]), ['uid']);
});

test('key order of the JSON read is no difference', () => {
  const before = base();
  const after = structuredClone(before);
  after.spec = Object.fromEntries(Object.entries(before.spec).reverse());
  assert.equal(pluginWrites(before, after), []);
});

test.run();
