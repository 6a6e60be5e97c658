// PGO's reconcile pipeline tables (one per minor version) and the explain logic over them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { explainCluster } from '../../../lib/explain/explain.ts';
import { PIPELINES, pipelineFor, stepOfFunc } from '../../../lib/explain/pipelines.ts';
import type { Finding } from '../../../lib/model/types.ts';

const names = (minor: '5.8' | '6.0') => PIPELINES[minor].steps.map((s) => s.name);

test('v5.8: the early checks, then the steps in the order of its Reconcile, then the status patch', () => {
  const n = names('5.8');
  assert.equal(n.slice(0, 6), ['VerifyImageValues', 'EndOfLifePostgresVersion', 'standby spec', 'registration', 'spec.paused', 'BackupsEnabled']);
  const order = ['reconcileRootCertificate', 'reconcileDirMoveJobs', 'observeInstances', 'reconcilePatroniStatus', 'reconcilePatroniSwitchover',
    'reconcileClusterPodService', 'reconcileRBACResources', 'reconcileDataSource', 'reconcileClusterConfigMap', 'reconcilePatroniDynamicConfiguration',
    'reconcileInstanceSets', 'reconcilePostgresDatabases', 'reconcilePostgresUsers', 'reconcilePGBackRest', 'reconcileVolumeSnapshots', 'reconcilePGBouncer',
    'reconcilePGMonitorExporter', 'reconcileDatabaseInitSQL', 'reconcilePGAdmin', 'handlePatroniRestarts', 'patchClusterStatus'];
  const idx = order.map((s) => n.indexOf(s));
  assert.ok(idx.every((i) => i >= 0), `all present: ${order.filter((s) => !n.includes(s))}`);
  assert.equal(idx, [...idx].sort((a, b) => a - b), 'in this order');
  assert.is(n.length, 39);
  assert.is(n.at(-1), 'patchClusterStatus');
});

test('v6.0: the same steps, without the registration check', () => {
  const n = names('6.0');
  assert.not.ok(n.includes('registration'));
  assert.equal(n, names('5.8').filter((s) => s !== 'registration'));
});

test('the version found picks the table; anything else assumes the nearest one', () => {
  assert.equal([pipelineFor('5.8.9'), pipelineFor('v6.0.3'), pipelineFor('ubi9-5.8.2-0')].map((p) => [p.pipeline.minor, p.assumed]), [['5.8', false], ['6.0', false], ['5.8', false]]);
  assert.equal([pipelineFor(null), pipelineFor('5.7.4'), pipelineFor('6.1.0')].map((p) => [p.pipeline.minor, p.assumed]), [['5.8', true], ['5.8', true], ['6.0', true]]);
});

test('the func of a real v5.8.9 log line gives its step', () => {
  const p = PIPELINES['5.8'];
  const cases: Array<[string, string]> = [
    ['postgrescluster.(*Reconciler).reconcilePatroniSwitchover', 'reconcilePatroniSwitchover'],
    ['postgrescluster.(*Reconciler).reconcilePGBouncerInPostgreSQL.func2', 'reconcilePGBouncer'],
    ['postgrescluster.(*Reconciler).reconcilePostgresUsersInPostgreSQL', 'reconcilePostgresUsers'],
    ['postgrescluster.(*Reconciler).reconcilePostgresDatabases', 'reconcilePostgresDatabases'],
    ['postgrescluster.(*Reconciler).reconcilePatroniDynamicConfiguration', 'reconcilePatroniDynamicConfiguration'],
    ['postgrescluster.(*Reconciler).reconcileStanzaCreate', 'reconcilePGBackRest'],
    ['postgrescluster.(*Reconciler).rolloutInstance', 'reconcileInstanceSets'],
  ];
  for (const [func, step] of cases) assert.is(stepOfFunc(p, func)?.name, step, func);
  assert.is(stepOfFunc(p, 'postgrescluster.(*Reconciler).somethingElse'), undefined);
});

const f = (code: string, data: Record<string, unknown> = {}, subject = 'PostgresCluster/hippo'): Finding =>
  ({ code, severity: 'error', cluster: { namespace: 'db', name: 'hippo' }, subject, message: code, detail: '', remedy: '', data });
const states = (e: ReturnType<typeof explainCluster>) => Object.fromEntries(e.steps.map((s) => [s.name, s.state]));

test('a reconcile error at pgBouncer (from the log): earlier steps ok, pgBouncer failing with PGO\'s error, later ones skipped, status still written', () => {
  const e = explainCluster('hippo', [f('ReconcileFailing', { func: 'postgrescluster.(*Reconciler).reconcilePGBouncerInPostgreSQL.func2', error: 'exit status 1' })],
    { version: '5.8.9', operatorDown: null, logRead: true });
  const s = states(e);
  assert.is(e.stoppedAt, 'reconcilePGBouncer');
  assert.is(s.reconcileInstanceSets, 'ok');
  assert.is(s.reconcilePGBouncer, 'failing');
  assert.is(e.steps.find((x) => x.name === 'reconcilePGBouncer')?.error, 'exit status 1');
  assert.is(s.handlePatroniRestarts, 'skipped');
  assert.is(s.patchClusterStatus, 'ok');
});

test('the switchover step failing leaves InstanceMissing unresolved at the instance step', () => {
  const e = explainCluster('hippo', [f('SwitchoverBlocked', { operatorError: 'Need more than one instance to switchover' }), f('InstanceMissing', {}, 'StatefulSet/hippo-instance2-k5cc')],
    { version: null, operatorDown: null, logRead: false });
  const inst = e.steps.find((x) => x.name === 'reconcileInstanceSets')!;
  assert.is(inst.state, 'skipped');
  assert.equal(inst.unresolved, [{ code: 'InstanceMissing', subject: 'StatefulSet/hippo-instance2-k5cc' }]);
  assert.is(e.steps.find((x) => x.name === 'reconcilePatroniSwitchover')?.error, 'Need more than one instance to switchover');
  assert.ok(e.assumed);
});

test('the earliest stop wins; an early check also skips the status patch (SpecNotObserved unresolved)', () => {
  const e = explainCluster('hippo', [f('SwitchoverBlocked'), f('ReconcilePaused', { reason: 'SpecPaused' }), f('SpecNotObserved')], { version: '6.0.3', operatorDown: null, logRead: true });
  const s = states(e);
  assert.is(e.stoppedAt, 'spec.paused');
  assert.is(s['spec.paused'], 'failing');
  assert.is(s.reconcilePatroniSwitchover, 'skipped');
  assert.is(s.patchClusterStatus, 'skipped');
  assert.equal(e.steps.at(-1)!.unresolved, [{ code: 'SpecNotObserved', subject: 'PostgresCluster/hippo' }]);
});

test('nothing known to fail: ok when the log was read, unknown when it was not; operator down: everything skipped', () => {
  assert.ok(explainCluster('hippo', [], { version: '5.8.9', operatorDown: null, logRead: true }).steps.every((s) => s.state === 'ok'));
  assert.ok(explainCluster('hippo', [], { version: '5.8.9', operatorDown: null, logRead: false }).steps.every((s) => s.state === 'unknown'));
  const down = explainCluster('hippo', [f('InstanceMissing')], { version: '5.8.9', operatorDown: 'OperatorMissing: no operator', logRead: true });
  assert.is(down.stoppedAt, 'operator');
  assert.ok(down.steps.every((s) => s.state === 'skipped'));
});

test('step descriptions name the cluster, never a placeholder', () => {
  const e = explainCluster('hippo', [], { version: '5.8.9', operatorDown: null, logRead: true });
  assert.ok(e.steps.every((s) => !s.does.includes('<')), 'no <...> left');
  assert.match(e.steps.find((s) => s.name === 'reconcileClusterPodService')!.does, 'Service hippo-pods');
});

test('a failure at a function the table does not place: every step unknown, never ok', () => {
  const e = explainCluster('hippo', [f('ReconcileFailing', { func: 'postgrescluster.(*Reconciler).reconcileSomethingNew', error: 'boom' })], { version: '5.8.9', operatorDown: null, logRead: true });
  assert.ok(e.steps.every((s) => s.state === 'unknown'));
  assert.is(e.stoppedAt, 'postgrescluster.(*Reconciler).reconcileSomethingNew');
  assert.is(e.unplacedError, 'boom');
});

test.run();
