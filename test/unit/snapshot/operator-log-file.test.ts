// --from: a *.log beside the dump is read as the operator's log.
import { copyFileSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_MAX_LAG_BYTES, runChecks } from '../../../lib/checks/index.ts';
import { loadSnapshot } from '../../../lib/snapshot/from-file.ts';
import { operatorLogBeside } from '../../../lib/snapshot/operator-log-file.ts';
import { fixture } from '../../helpers/snapshot-from-yaml.ts';

const everywhere = { allNamespaces: true, namespace: '' };
const opts = { maxLagBytes: DEFAULT_MAX_LAG_BYTES, now: new Date('2026-11-25T17:12:30Z') };
const NEED = (t: string, id: string) =>
  `time="${t}" level=error msg="Reconciler error" PostgresCluster=db/hippo controller=postgrescluster controllerKind=PostgresCluster error="Need more than one instance to switchover" file="internal/controller/postgrescluster/patroni.go:482" func="postgrescluster.(*Reconciler).reconcilePatroniSwitchover" name=hippo namespace=db reconcileID=${id} version=`;
const LOG = [NEED('2026-11-25T17:11:50Z', 'a'), 'not a line of PGO\'s', NEED('2026-11-25T17:12:01Z', 'b'), ''].join('\n');

let dir: string;
test.before.each(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kpgo-log-'));
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

test('a directory holding the YAML and operator.log: the incident is confirmed by the log', () => {
  copyFileSync(fixture('incident/incident.yaml'), path.join(dir, 'incident.yaml'));
  writeFileSync(path.join(dir, 'operator.log'), LOG);
  const snap = loadSnapshot(dir, everywhere);
  assert.is(snap.operatorLog?.sources.length, 1);
  const s = snap.operatorLog!.sources[0];
  assert.is(s.file, path.join(dir, 'operator.log'));
  assert.is(s.pod, null);
  assert.is(s.digest.pgoLines, 2);
  const blocked = runChecks(snap, opts).find((f) => f.code === 'SwitchoverBlocked')!;
  assert.match(blocked.message, "confirmed by the operator's log: 2 times since 17:11 UTC");
  assert.is((blocked.data?.operatorLog as { logFile: string }).logFile, path.join(dir, 'operator.log'));
});

test('a dump file with a *.log next to it; a log in a subdirectory of a dump directory too', () => {
  copyFileSync(fixture('incident/incident.yaml'), path.join(dir, 'dump.yaml'));
  writeFileSync(path.join(dir, 'pgo.log'), LOG);
  assert.is(loadSnapshot(path.join(dir, 'dump.yaml'), everywhere).operatorLog?.sources[0].digest.errors[0].count, 2);
  mkdirSync(path.join(dir, 'logs'));
  writeFileSync(path.join(dir, 'logs', 'operator.log'), LOG);
  assert.is(loadSnapshot(dir, everywhere).operatorLog?.sources.length, 2);
});

test('no *.log, or one with no line of PGO\'s: no operator log (not read, not "no errors")', () => {
  copyFileSync(fixture('incident/incident.yaml'), path.join(dir, 'incident.yaml'));
  assert.is(loadSnapshot(dir, everywhere).operatorLog, undefined);
  writeFileSync(path.join(dir, 'build.log'), 'make: *** [all] Error 1\n');
  assert.is(loadSnapshot(dir, everywhere).operatorLog, undefined);
  assert.is(operatorLogBeside('-'), undefined);
});

test('a log bigger than the cap: only its newest bytes, from the first whole line', () => {
  const lines = Array.from({ length: 50 }, (_, i) => NEED(`2026-11-25T17:${String(10 + Math.floor(i / 10)).padStart(2, '0')}:${String((i % 10) * 5).padStart(2, '0')}Z`, `r${i}`));
  writeFileSync(path.join(dir, 'operator.log'), lines.join('\n') + '\n');
  writeFileSync(path.join(dir, 'x.yaml'), '');
  const log = operatorLogBeside(path.join(dir, 'x.yaml'), 2000)!;
  const s = log.sources[0];
  assert.ok(s.truncated);
  assert.ok(s.digest.pgoLines < 50 && s.digest.pgoLines > 0);
  assert.is(s.digest.lastTime, '2026-11-25T17:14:45Z');
  assert.is(s.digest.skipped, 0);
});

test("the README's example: real objects, real log lines (namespace db), ReconcileFailing in PGO's words", () => {
  const dir = path.join(path.dirname(fixture('incident/incident.yaml')), '..', 'reconcile-failing');
  const snap = loadSnapshot(dir, everywhere);
  const f = runChecks(snap, { ...opts, now: new Date(snap.takenAt) }).find((x) => x.code === 'ReconcileFailing')!;
  assert.ok(f);
  assert.match(f.message, 'reconcilePGBouncerInPostgreSQL: "Internal error occurred: error executing command in container: cmd wait: bash -ceu -- ..." (4 times since 13:07 UTC, last at 13:07:15 UTC)');
  assert.is(f.data?.file, 'internal/controller/postgrescluster/pgbouncer.go:153');
});

test.run();
