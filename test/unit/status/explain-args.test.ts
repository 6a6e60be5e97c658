// `status --explain` and `--generation-grace`: argument parsing, and the report they make.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../../lib/cli/exit.ts';
import { globalFlagsOf } from '../../../lib/cli/global-flags.ts';
import { parseStatusArgs } from '../../../lib/verbs/status.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const flags = globalFlagsOf({ color: 'never' });
const INCIDENT = path.join(root, 'test/fixtures/incident/incident.yaml');
const usage = (fn: () => unknown, re: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof UsageError && e.code === 1 && re.test((e as Error).message) && !(e as Error).message.includes('\n'));

test('--explain without a CLUSTER is a one-line usage error', () => {
  usage(() => parseStatusArgs({ explain: true }, flags), /^error: --explain needs a CLUSTER: kubectl pgo status CLUSTER --explain$/);
  assert.is(parseStatusArgs({ explain: true, cluster: 'hippo' }, flags).explain, true);
  assert.is(parseStatusArgs({ cluster: 'hippo' }, flags).explain, false);
});

test('--generation-grace takes a duration; nonsense is a usage error', () => {
  assert.is(parseStatusArgs({ generationGrace: '30s' }, flags).generationGraceMs, 30_000);
  assert.is(parseStatusArgs({ 'generation-grace': '5m' }, flags).generationGraceMs, 300_000);
  assert.is(parseStatusArgs({}, flags).generationGraceMs, undefined);
  usage(() => parseStatusArgs({ generationGrace: 'soon' }, flags), /invalid argument "soon" for "--generation-grace" flag/);
});

function run(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'cmd/main.ts'), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

test('through the CLI: --explain without CLUSTER exits 1 with one line and prints nothing else', () => {
  const r = run('status', '--from', INCIDENT, '--explain');
  assert.is(r.status, 1);
  assert.is(r.stdout, '');
  assert.is(r.stderr, 'error: --explain needs a CLUSTER: kubectl pgo status CLUSTER --explain\n');
});

test('through the CLI: -o json --explain carries clusters[].explain with the failing step and what it leaves unresolved', () => {
  const r = run('status', 'hippo', '--from', INCIDENT, '--explain', '-o', 'json');
  assert.is(r.status, 2, r.stderr);
  const c = JSON.parse(r.stdout).clusters[0];
  assert.is(c.explain.stoppedAt, 'reconcilePatroniSwitchover');
  const inst = c.explain.steps.find((s: { name: string }) => s.name === 'reconcileInstanceSets');
  assert.equal([inst.state, inst.unresolved], ['skipped', [{ code: 'InstanceMissing', subject: 'StatefulSet/hippo-instance2-k5cc' }]]);
  const plain = JSON.parse(run('status', 'hippo', '--from', INCIDENT, '-o', 'json').stdout).clusters[0];
  assert.not.ok('explain' in plain, 'no explain field without --explain');
});

test.run();
