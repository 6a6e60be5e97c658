// ReconcileFailing from PGO's own log, and SwitchoverBlocked confirmed by it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_MAX_LAG_BYTES, healthOf, runChecks } from '../../../lib/checks/index.ts';
import type { Snapshot } from '../../../lib/model/types.ts';
import { logWindow, sourceFromText } from '../../../lib/operator-log/source.ts';
import { base, byCode, HIPPO, one, opts, remove } from '../../helpers/check-fixtures.ts';
import { fixture, snapshotFromYaml } from '../../helpers/snapshot-from-yaml.ts';

const POD = { namespace: 'postgres-operator', name: 'pgo-7d4b9c8f6-x2x7q', container: 'operator' };
const SWITCHOVER = 'postgrescluster.(*Reconciler).reconcilePatroniSwitchover';
const PGBOUNCER = 'postgrescluster.(*Reconciler).reconcilePGBouncerInPostgreSQL.func2';

function line(time: string, level: string, msg: string, fields: Record<string, string>): string {
  const q = (v: string) => (/^[A-Za-z0-9\-._/@^+]*$/.test(v) ? v : JSON.stringify(v));
  return [`time="${time}"`, `level=${level}`, `msg=${JSON.stringify(msg)}`, ...Object.entries(fields).map(([k, v]) => `${k}=${q(v)}`)].join(' ');
}
const about = (cluster: string, id: string) => ({
  PostgresCluster: cluster, controller: 'postgrescluster', controllerGroup: 'postgres-operator.crunchydata.com', controllerKind: 'PostgresCluster',
  name: cluster.split('/')[1], namespace: cluster.split('/')[0], reconcileID: id, version: '5.8.9',
});
const failed = (time: string, id: string, error: string, func: string, file: string, cluster = 'db/hippo') => [
  line(time, 'debug', 'reconciled cluster', about(cluster, id)),
  line(time, 'error', 'Reconciler error', { ...about(cluster, id), error, file, func }),
];
const succeeded = (time: string, id: string, cluster = 'db/hippo') => [line(time, 'debug', 'reconciled cluster', about(cluster, id))];

function withLog(snap: Snapshot, lines: string[]): Snapshot {
  snap.operatorLog = { sources: [sourceFromText(lines.join('\n') + '\n', { pod: POD, file: null, window: logWindow() })] };
  return snap;
}

const PGB_ERROR = 'Internal error occurred: error executing command in container: cmd wait: bash -ceu -- \nsql_target=$(< /dev/stdin)\n: exit status 1';

test('an error no check knows: ReconcileFailing, blocking, in PGO\'s words, with the command to see more', () => {
  const snap = withLog(base(), [
    ...failed('2026-11-25T16:20:01Z', 'r1', PGB_ERROR, PGBOUNCER, 'internal/controller/postgrescluster/pgbouncer.go:153'),
    ...failed('2026-11-25T16:24:09Z', 'r2', PGB_ERROR, PGBOUNCER, 'internal/controller/postgrescluster/pgbouncer.go:153'),
  ]);
  const fs = runChecks(snap, opts);
  const f = one(fs, 'ReconcileFailing');
  assert.is(f.severity, 'error');
  assert.is(f.blocking, true);
  assert.equal(f.cluster, HIPPO);
  assert.is(f.message, 'PGO\'s reconcile fails at reconcilePGBouncerInPostgreSQL: "Internal error occurred: error executing command in container: cmd wait: bash -ceu -- ..." (2 times since 16:20 UTC, last at 16:24:09 UTC)');
  assert.match(f.detail, `${PGBOUNCER} (internal/controller/postgrescluster/pgbouncer.go:153)`);
  assert.match(f.detail, 'no reconcile of it has succeeded since');
  assert.match(f.detail, JSON.stringify(PGB_ERROR));
  assert.match(f.remedy, "kubectl logs -n postgres-operator pgo-7d4b9c8f6-x2x7q -c operator --since=15m | grep 'PostgresCluster=db/hippo '");
  assert.match(f.remedy, 'psql');
  assert.match(f.remedy, 'kubectl logs hippo-instance');
  assert.equal(
    { error: f.data?.error, step: f.data?.step, count: f.data?.count, first: f.data?.first, last: f.data?.last, pod: f.data?.pod, container: f.data?.container },
    { error: PGB_ERROR, step: 'reconcilePGBouncerInPostgreSQL', count: 2, first: '2026-11-25T16:20:01Z', last: '2026-11-25T16:24:09Z', pod: 'postgres-operator/pgo-7d4b9c8f6-x2x7q', container: 'operator' },
  );
  assert.is(healthOf(HIPPO, fs, snap), 'Blocked');
});

test('a reconcile that succeeded after the error: nothing to report, Healthy', () => {
  const snap = withLog(base(), [
    ...failed('2026-11-25T16:20:01Z', 'r1', 'boom', PGBOUNCER, 'x.go:1'),
    ...succeeded('2026-11-25T16:20:05Z', 'r2'),
    line('2026-11-25T16:20:09Z', 'debug', 'reconciled instance', about('db/hippo', 'r3')),
  ]);
  const fs = runChecks(snap, opts);
  assert.equal(byCode(fs, 'ReconcileFailing'), []);
  assert.is(healthOf(HIPPO, fs, snap), 'Healthy');
});

test('errors of another cluster say nothing about this one', () => {
  const fs = runChecks(withLog(base(), failed('2026-11-25T16:20:01Z', 'r1', 'boom', PGBOUNCER, 'x.go:1', 'other/hippo')), opts);
  assert.equal(byCode(fs, 'ReconcileFailing'), []);
});

test('without debug lines (CRUNCHY_DEBUG off) an error cannot be known to be over: reported, and said', () => {
  const snap = withLog(base(), [line('2026-11-25T16:20:01Z', 'error', 'Reconciler error', { ...about('db/hippo', 'r1'), error: 'boom', func: 'postgrescluster.(*Reconciler).reconcileSomethingNew' })]);
  const f = one(runChecks(snap, opts), 'ReconcileFailing');
  assert.match(f.message, 'reconcileSomethingNew: "boom" (once since 16:20 UTC');
  assert.match(f.detail, 'CRUNCHY_DEBUG=true');
});

test('several steps failing: the most recent is the finding, the others are listed', () => {
  const snap = withLog(base(), [
    ...failed('2026-11-25T16:20:01Z', 'r1', 'first', 'postgrescluster.(*Reconciler).reconcilePatroniDynamicConfiguration', 'patroni.go:207'),
    ...failed('2026-11-25T16:21:01Z', 'r2', 'second', PGBOUNCER, 'pgbouncer.go:153'),
  ]);
  const f = one(runChecks(snap, opts), 'ReconcileFailing');
  assert.match(f.message, 'reconcilePGBouncerInPostgreSQL: "second"');
  assert.match(f.detail, 'at reconcilePatroniDynamicConfiguration: "first" (once, last 16:20:01 UTC)');
  assert.is((f.data?.others as unknown[]).length, 1);
});

test('--from: the command to see more greps the log file', () => {
  const snap = base();
  snap.operatorLog = { sources: [sourceFromText(failed('2026-11-25T16:20:01Z', 'r1', 'boom', PGBOUNCER, 'x.go:1').join('\n'), { pod: null, file: 'dump/operator.log', window: null })] };
  assert.match(one(runChecks(snap, opts), 'ReconcileFailing').remedy, "grep 'PostgresCluster=db/hippo ' dump/operator.log");
});

test('the incident: SwitchoverBlocked is confirmed by the log (count, since), and no second finding is made', () => {
  const incidentOpts = { maxLagBytes: DEFAULT_MAX_LAG_BYTES, now: new Date('2026-11-25T17:12:30Z') };
  const lines: string[] = [];
  for (let i = 0; i < 6; i++) lines.push(...failed(`2026-11-25T17:11:${String(45 + i).padStart(2, '0')}Z`, `p${i}`, 'Internal error occurred: error executing command in container: cmd wait: patronictl switchover --scheduled=now --force --candidate=hippo-instance1-hcjs-0: exit status 1', SWITCHOVER, 'internal/controller/postgrescluster/patroni.go:595'));
  for (let i = 0; i < 7; i++) lines.push(...failed(`2026-11-25T17:12:${String(10 + i * 2).padStart(2, '0')}Z`, `n${i}`, 'Need more than one instance to switchover', SWITCHOVER, 'internal/controller/postgrescluster/patroni.go:482'));
  const snap = withLog(snapshotFromYaml(fixture('incident/incident.yaml')), lines);
  const fs = runChecks(snap, incidentOpts);
  assert.equal(byCode(fs, 'ReconcileFailing'), []);
  const f = one(fs, 'SwitchoverBlocked');
  assert.match(f.message, /"Need more than one instance to switchover" .*; confirmed by the operator's log: 7 times since 17:12 UTC$/);
  assert.equal(f.data?.operatorLog, {
    error: 'Need more than one instance to switchover', step: 'reconcilePatroniSwitchover', func: SWITCHOVER,
    file: 'internal/controller/postgrescluster/patroni.go:482', count: 7, first: '2026-11-25T17:12:10Z', last: '2026-11-25T17:12:22Z',
    pod: 'postgres-operator/pgo-7d4b9c8f6-x2x7q', container: 'operator', logFile: null,
  });
  assert.is(one(fs, 'InstanceMissing').blockedBy, 'SwitchoverBlocked');
  assert.is(healthOf(HIPPO, fs, snap), 'Blocked');
});

test('the switchover step failing while no SwitchoverBlocked is predicted: ReconcileFailing with the switchover advice', () => {
  const snap = withLog(base(), failed('2026-11-25T16:20:01Z', 'r1', 'TargetInstance was specified but not found in the cluster', SWITCHOVER, 'patroni.go:500'));
  const f = one(runChecks(snap, opts), 'ReconcileFailing');
  assert.match(f.remedy, 'kubectl annotate postgrescluster hippo -n db postgres-operator.crunchydata.com/trigger-switchover-');
});

test('InstanceMissing is blocked by a ReconcileFailing before the instance step, not by one after it', () => {
  const missing = (func: string) => {
    const snap = withLog(base(), failed('2026-11-25T16:20:01Z', 'r1', 'boom', func, 'x.go:1'));
    remove(snap, 'statefulSets', 'hippo-instance1-wxyz');
    remove(snap, 'pods', 'hippo-instance1-wxyz-0');
    return one(runChecks(snap, opts), 'InstanceMissing');
  };
  const before = missing('postgrescluster.(*Reconciler).reconcilePatroniDynamicConfiguration');
  assert.is(before.blockedBy, 'ReconcileFailing');
  assert.match(before.detail, 'It cannot: ReconcileFailing stops every reconcile before the instance step');
  const after = missing(PGBOUNCER);
  assert.is(after.blockedBy, undefined, 'PGO reaches the instance step before it fails at pgBouncer');
});

test('errors logged before the cluster was created are about an earlier cluster of that name', () => {
  const snap = withLog(base(), failed('2020-01-01T00:00:00Z', 'r1', 'boom', PGBOUNCER, 'x.go:1'));
  assert.equal(byCode(runChecks(snap, opts), 'ReconcileFailing'), []);
});

test.run();
