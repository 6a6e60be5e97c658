import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFields, parseLogrusLine } from '../../../lib/operator-log/logrus.ts';
import { sharedDir } from '../../helpers/sandbox.ts';

const REAL = path.join(sharedDir, 'fixtures/pgo/v5.8.9/recorded/operator.log');

test('a real Reconciler error line: every field, values unquoted', () => {
  const line = readFileSync(REAL, 'utf8').split('\n').find((l) => l.includes('Need more than one instance'))!;
  const e = parseLogrusLine(line)!;
  assert.ok(e);
  assert.is(e.time, '2026-12-01T13:07:17Z');
  assert.is(e.level, 'error');
  assert.is(e.msg, 'Reconciler error');
  assert.is(e.fields.PostgresCluster, 'e2e-heal-jqa34i/hippo');
  assert.is(e.fields.error, 'Need more than one instance to switchover');
  assert.is(e.fields.file, 'internal/controller/postgrescluster/patroni.go:482');
  assert.is(e.fields.func, 'postgrescluster.(*Reconciler).reconcilePatroniSwitchover');
  assert.is(e.fields.controllerKind, 'PostgresCluster');
  assert.is(e.fields.version, '');
  assert.is(e.fields.reconcileID, '6da9cb7a-5773-40fd-8334-a4934d824c12');
});

test('Go escapes: \\" \\\\ \\n \\t and \\u, as logrus writes them with %q', () => {
  const e = parseLogrusLine(String.raw`time="2026-12-01T13:07:08Z" level=error msg="say \"hi\"" error="a\\b\n\tc \u00e9 \x41" n=1`)!;
  assert.is(e.msg, 'say "hi"');
  assert.is(e.fields.error, 'a\\b\n\tc é A');
  assert.is(e.fields.n, '1');
});

test('the real multi-line error (a shell script) comes back whole', () => {
  const line = readFileSync(REAL, 'utf8').split('\n').find((l) => l.includes('reconcilePGBouncerInPostgreSQL'))!;
  const e = parseLogrusLine(line)!;
  assert.match(e.fields.error, /^Internal error occurred: error executing command in container: cmd wait: bash -ceu -- \nsql_target=\$\(< \/dev\/stdin\)\n/);
  assert.match(e.fields.error, 'psql "$@" -Xw -Aqt --file=- <<< "${sql_databases}"');
  assert.ok(e.fields.error.endsWith('--set=username=_crunchypgbouncer: exit status 1'));
});

test('keys with a space, as PGO writes "worker count"', () => {
  const e = parseLogrusLine('time="2026-12-01T13:06:47Z" level=info msg="Starting workers" controller=pgupgrade version= worker count=1')!;
  assert.is(e.fields['worker count'], '1');
  assert.is(e.fields.version, '');
});

test('a line cut inside a quoted value is not parsed', () => {
  assert.is(parseLogrusLine('time="2026-12-01T13:07:17Z" level=error msg="Reconciler error" error="Need more than one ins'), undefined);
  assert.is(parseLogrusLine('time="2026-12-01T13:07:17Z" level=error msg="Reconciler error" error="ends in a backslash \\'), undefined);
  assert.is(parseLogrusLine('time="2026-12-01T13:07:1'), undefined);
});

test("lines that are not PGO's are skipped", () => {
  for (const l of [
    '',
    'I1201 13:06:47.123456       1 leaderelection.go:250] attempting to acquire leader lease',
    'panic: runtime error: invalid memory address or nil pointer dereference',
    'goroutine 1 [running]:',
    '{"level":"info","ts":1733058407,"msg":"json, not logrus"}',
    'level=info msg="no time first"',
    'time="2026-12-01T13:06:47Z" msg="no level"',
  ]) assert.is(parseLogrusLine(l), undefined, l);
  assert.is(parseFields('a=1 b="x" c'), undefined);
});

test('every one of the 1230 real lines parses', () => {
  const lines = readFileSync(REAL, 'utf8').split('\n').filter(Boolean);
  assert.is(lines.length, 1230);
  assert.is(lines.filter((l) => parseLogrusLine(l) !== undefined).length, 1230);
});

test.run();
