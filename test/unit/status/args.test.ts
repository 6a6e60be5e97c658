// Argument parsing of `status`: every mistake is one line and exit 1, before anything is read.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBytes } from '../../../lib/cli/bytes.ts';
import { UsageError } from '../../../lib/cli/exit.ts';
import { globalFlagsOf } from '../../../lib/cli/global-flags.ts';
import { DEFAULT_MAX_LAG_BYTES, parseStatusArgs } from '../../../lib/verbs/status.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const flags = globalFlagsOf({ color: 'never' });
// A readable dump: if a bad argument let the verb run, it would print a report.
const INCIDENT = path.join(root, 'test/fixtures/incident/incident.yaml');

const usage = (fn: () => unknown, re: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof UsageError && e.code === 1 && re.test((e as Error).message) && !(e as Error).message.includes('\n'));

test('defaults: table, 16 MiB lag threshold, no watch', () => {
  const a = parseStatusArgs({}, flags);
  assert.is(a.output, 'table');
  assert.is(a.maxLagBytes, DEFAULT_MAX_LAG_BYTES);
  assert.is(DEFAULT_MAX_LAG_BYTES, 16 * 1024 * 1024);
  assert.is(a.watch, false);
  assert.is(a.cluster, undefined);
});

test('-o accepts table, wide, json, yaml and nothing else', () => {
  for (const o of ['table', 'wide', 'json', 'yaml']) assert.is(parseStatusArgs({ output: o }, flags).output, o);
  usage(() => parseStatusArgs({ output: 'xml' }, flags), /output format "xml", allowed formats are: table,wide,json,yaml/);
  usage(() => parseStatusArgs({ output: 'JSON' }, flags), /"JSON"/);
});

test('--watch with --from is refused', () => {
  usage(() => parseStatusArgs({ watch: true, from: 'dump.yaml' }, flags), /--watch cannot be used with --from/);
});

test('--max-lag takes bytes with Kubernetes suffixes', () => {
  assert.is(parseStatusArgs({ maxLag: '16Mi' }, flags).maxLagBytes, 16 * 1024 * 1024);
  assert.is(parseBytes('1048576', 'max-lag'), 1048576);
  assert.is(parseBytes('512Ki', 'max-lag'), 512 * 1024);
  assert.is(parseBytes('1.5Gi', 'max-lag'), 1.5 * 1024 ** 3);
  assert.is(parseBytes('16MiB', 'max-lag'), 16 * 1024 * 1024);
  assert.is(parseBytes('500k', 'max-lag'), 500_000);
  assert.is(parseBytes('2M', 'max-lag'), 2_000_000);
  for (const bad of ['', 'lots', '-1', '16 Xi', '16m', '1e6', '16Mi extra']) {
    usage(() => parseStatusArgs({ maxLag: bad }, flags), /invalid argument ".*" for "--max-lag" flag/);
  }
});

test('a cluster name that cannot exist is refused before any request', () => {
  usage(() => parseStatusArgs({ cluster: 'Hippo_DB' }, flags), /not a valid PostgresCluster name/);
  assert.is(parseStatusArgs({ cluster: 'hippo' }, flags).cluster, 'hippo');
});

// Through the real entry point (cmd/main.ts under tsx): one line on stderr, exit 1, no stack.
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'cmd/main.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: '/nonexistent/kubeconfig', NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

for (const [args, re] of [
  [['status', '-o', 'xml', '--from', 'x.yaml'], /^error: unable to match a printer suitable for the output format "xml"/],
  [['status', '--watch', '--from', 'x.yaml'], /^error: --watch cannot be used with --from/],
  [['status', '--max-lag', 'lots', '--from', 'x.yaml'], /^error: invalid argument "lots" for "--max-lag" flag/],
  [['status', '--color', 'purple', '--from', INCIDENT], /^error: Invalid values: Argument: color, Given: "purple"/],
  [['status', '--bogus', '--from', INCIDENT], /^error: Unknown argument: bogus/],
  [['status', 'a', 'b', '--from', INCIDENT], /^error: Unknown argument: b/],
] as Array<[string[], RegExp]>) {
  test(`kubectl pgo ${args.join(' ')}: one line (and kubectl's usage hint), nothing run, exit 1`, () => {
    const r = cli(...args);
    assert.is(r.code, 1, r.stderr);
    assert.is(r.stdout, '', 'the verb must not have run');
    assert.match(r.stderr, re);
    const lines = r.stderr.trim().split('\n');
    assert.ok(lines.length === 1 || (lines.length === 2 && lines[1] === "See 'kubectl pgo --help' for usage."), r.stderr);
    assert.not.match(r.stderr, /\bat .*\(.*:\d+:\d+\)/);
  });
}

test('status --help shows examples, exit codes and the RBAC table', () => {
  const r = cli('status', '--help');
  assert.is(r.code, 0);
  for (const want of ['kubectl pgo status -A', 'kubectl pgo status hippo -n db', '--from', '--max-lag', '--watch', 'RBAC requirements', 'postgresclusters', 'optional with --watch', 'customresourcedefinitions', 'Exit codes: 0 no error finding; 2 at least one error finding; 1']) {
    assert.ok(r.stdout.includes(want), `help lacks ${want}`);
  }
});

test.run();
