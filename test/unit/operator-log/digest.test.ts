import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { digestOperatorLog } from '../../../lib/operator-log/digest.ts';
import { sharedDir } from '../../helpers/sandbox.ts';

const REAL = readFileSync(path.join(sharedDir, 'fixtures/pgo/v5.8.9/recorded/operator.log'), 'utf8');
const STEP = 'postgrescluster.(*Reconciler).reconcilePatroniSwitchover';

const line = (time: string, level: string, msg: string, extra: string) => `time="${time}" level=${level} msg=${JSON.stringify(msg)} ${extra}`;
const err = (time: string, id: string, error = 'Need more than one instance to switchover', cluster = 'db/hippo') =>
  line(time, 'error', 'Reconciler error', `PostgresCluster=${cluster} controller=postgrescluster controllerKind=PostgresCluster error=${JSON.stringify(error)} file="internal/controller/postgrescluster/patroni.go:482" func="${STEP}" name=${cluster.split('/')[1]} namespace=${cluster.split('/')[0]} reconcileID=${id} version=`);
const done = (time: string, id: string, cluster = 'db/hippo') =>
  line(time, 'debug', 'reconciled cluster', `PostgresCluster=${cluster} controller=postgrescluster controllerKind=PostgresCluster name=${cluster.split('/')[1]} namespace=${cluster.split('/')[0]} reconcileID=${id} version=`);

test('the real log: 80 Reconciler error lines, grouped per cluster, step and error', () => {
  const d = digestOperatorLog(REAL);
  assert.is(d.lines, 1230);
  assert.is(d.pgoLines, 1230);
  assert.is(d.skipped, 0);
  assert.is(d.firstTime, '2026-12-01T13:06:47Z');
  assert.is(d.lastTime, '2026-12-01T13:09:50Z');
  assert.ok(d.debug);
  assert.is(d.errors.reduce((n, g) => n + g.count, 0), 80);
  const perCluster = (ns: string) => d.errors.filter((g) => g.namespace === ns).reduce((n, g) => n + g.count, 0);
  assert.is(perCluster('e2e-heal-jqa34i'), 29);
  assert.is(perCluster('e2e-operator-nux5sr'), 25);
  assert.is(d.errors.filter((g) => g.namespace === 'e2e-switchover-28todj' && g.name === 'solo').reduce((n, g) => n + g.count, 0), 13);
  // The incident of the heal suite: "Need more than one instance" 7 times at the switchover step.
  const need = d.errors.find((g) => g.namespace === 'e2e-heal-jqa34i' && g.error === 'Need more than one instance to switchover')!;
  assert.equal({ ...need }, {
    namespace: 'e2e-heal-jqa34i', name: 'hippo', error: 'Need more than one instance to switchover', func: STEP,
    file: 'internal/controller/postgrescluster/patroni.go:482', count: 7, first: '2026-12-01T13:07:17Z', last: '2026-12-01T13:07:41Z', current: true,
  });
  assert.is(d.errors.filter((g) => g.func === STEP).reduce((n, g) => n + g.count, 0), 18);
  // Most recent first.
  for (let i = 1; i < d.errors.length; i++) assert.ok(d.errors[i - 1].last >= d.errors[i].last);
});

test('a text cut by limitBytes: the last, incomplete line is left out and said', () => {
  const text = [err('2026-12-01T13:07:17Z', 'a'), err('2026-12-01T13:07:18Z', 'b')].join('\n');
  const cut = text.slice(0, text.length - 20);
  const d = digestOperatorLog(cut, { cut: true });
  assert.ok(d.cutLine);
  assert.is(d.pgoLines, 1);
  assert.is(d.errors[0].count, 1);
  // Not cut: a last line without a newline is whole.
  assert.is(digestOperatorLog(text).errors[0].count, 2);
});

test('foreign lines are skipped and counted', () => {
  const text = ['I1201 13:06:47.1 leaderelection.go:250] lease', err('2026-12-01T13:07:17Z', 'a'), 'goroutine 1 [running]:', ''].join('\n');
  const d = digestOperatorLog(text);
  assert.is(d.pgoLines, 1);
  assert.is(d.skipped, 2);
});

test('an error followed by a reconcile of the same cluster that succeeded is over', () => {
  const text = [
    done('2026-12-01T13:07:17Z', 'a'), err('2026-12-01T13:07:17Z', 'a'),
    done('2026-12-01T13:07:20Z', 'b'),
    done('2026-12-01T13:07:22Z', 'c', 'db/other'),
  ].join('\n');
  const d = digestOperatorLog(text);
  assert.is(d.errors.length, 1);
  assert.is(d.errors[0].current, false);
});

test('"reconciled cluster" then the error of the same reconcile: still failing', () => {
  const text = [done('2026-12-01T13:07:17Z', 'a'), err('2026-12-01T13:07:17Z', 'a'), done('2026-12-01T13:07:19Z', 'b'), err('2026-12-01T13:07:19Z', 'b'), line('2026-12-01T13:07:30Z', 'info', 'x', 'y=1')].join('\n');
  assert.is(digestOperatorLog(text).errors[0].current, true);
});

test('a success is trusted once its status patch is logged, a line 2 s later exists or the log was read 5 s after it: PGO logs the success before its status patch, the error after it', () => {
  // Cut by limitBytes right after the success.
  const text = [err('2026-12-01T13:07:10Z', 'a'), done('2026-12-01T13:07:17Z', 'b'), 'time="2026-12-01T13:07:17Z" level=debug msg="patched clu'].join('\n');
  assert.is(digestOperatorLog(text, { cut: true }).errors[0].current, true);
  // Read whole, between the success and its error (the status patch in flight): not over.
  const inFlight = [err('2026-12-01T13:07:10Z', 'a'), done('2026-12-01T13:07:17Z', 'b'), ''].join('\n');
  assert.is(digestOperatorLog(inFlight).errors[0].current, true, 'a success with nothing after it');
  const soon = [err('2026-12-01T13:07:10Z', 'a'), done('2026-12-01T13:07:17Z', 'b'), line('2026-12-01T13:07:18Z', 'info', 'other', 'x=1'), ''].join('\n');
  assert.is(digestOperatorLog(soon).errors[0].current, true, 'a line 1 s later (whole seconds: maybe 1 ms)');
  // A line 2 s later: the error would be in the text by then.
  const later = [err('2026-12-01T13:07:10Z', 'a'), done('2026-12-01T13:07:17Z', 'b'), line('2026-12-01T13:07:19Z', 'info', 'other', 'x=1'), ''].join('\n');
  assert.is(digestOperatorLog(later).errors[0].current, false);
  assert.is(digestOperatorLog(later).lastSuccess['db/hippo'], '2026-12-01T13:07:17Z');
  // Its own "patched cluster status" line: the status call returned, the error would follow at once.
  const patched = [err('2026-12-01T13:07:10Z', 'a'), done('2026-12-01T13:07:17Z', 'b'), line('2026-12-01T13:07:17Z', 'debug', 'patched cluster status', 'PostgresCluster=db/hippo reconcileID=b'), ''].join('\n');
  assert.is(digestOperatorLog(patched).errors[0].current, false);
  const otherPatch = patched.replace('reconcileID=b', 'reconcileID=c');
  assert.is(digestOperatorLog(otherPatch).errors[0].current, true, "another reconcile's patch says nothing of this one");
  // Read 5 s after the success (the reader's clock): nothing more came, so it holds.
  assert.is(digestOperatorLog(inFlight, { readAt: Date.parse('2026-12-01T13:07:22Z') }).errors[0].current, false);
  assert.is(digestOperatorLog(inFlight, { readAt: Date.parse('2026-12-01T13:07:19Z') }).errors[0].current, true);
});

test('namespace and name fields name the cluster when PostgresCluster=NS/NAME is absent', () => {
  const text = line('2026-12-01T13:07:17Z', 'error', 'Reconciler error', 'controllerKind=PostgresCluster error="boom" func="f" name=hippo namespace=db');
  const d = digestOperatorLog(text);
  assert.is(d.errors[0].namespace, 'db');
  assert.is(d.errors[0].name, 'hippo');
  assert.is(d.errors[0].file, null);
  // Another controller's errors (PGUpgrade) are not about a PostgresCluster.
  assert.equal(digestOperatorLog(line('2026-12-01T13:07:17Z', 'error', 'Reconciler error', 'PGUpgrade=db/up controllerKind=PGUpgrade error="x" name=up namespace=db')).errors, []);
});

test.run();
