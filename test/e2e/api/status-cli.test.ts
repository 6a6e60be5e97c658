// The BUILT plugin on the incident dump, no cluster needed: `node dist/kubectl-pgo status --from`
// and the same through real kubectl's plugin lookup. The remedy it prints is run, as pasted, in
// bash against a stand-in kubectl that records its arguments: it must be a command that parses.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { kubectlPath, repoRoot, run, type RunResult } from '../../helpers/kubectl.ts';

const bin = path.join(repoRoot, 'dist/kubectl-pgo');
const incident = path.join(repoRoot, 'test/fixtures/incident/incident.yaml');
const tmp = mkdtempSync(path.join(tmpdir(), 'kpgo-status-cli-'));
// No kubeconfig at all: --from must not need one.
const env = (extra: Record<string, string> = {}) => ({ ...process.env, KUBECONFIG: path.join(tmp, 'no-kubeconfig'), NO_COLOR: '', ...extra });
const show = (r: RunResult) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
const noStack = (r: RunResult) => assert.not.match(r.stderr, /^\s+at .+:\d+:\d+\)?$/m, show(r));

const plugin = (args: string[], extra?: Record<string, string>) =>
  run('bash', ['-c', 'cd "$0" && exec "$@"', repoRoot, process.execPath, bin, ...args], { env: env(extra), timeoutMs: 60_000 });
const viaKubectl = (args: string[]) =>
  run(kubectlPath(), ['pgo', ...args], { env: env({ PATH: `${path.dirname(bin)}:${process.env.PATH}` }), timeoutMs: 60_000 });

test.before(() => {
  assert.ok(existsSync(bin), `build first: npm run build (no ${bin})`);
  assert.ok(existsSync(incident), `incident fixture missing: ${incident}`);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('list: the incident cluster Blocked, 1/2, SwitchoverBlocked first; exit 2', async () => {
  const r = await plugin(['status', '--from', incident]);
  assert.is(r.code, 2, show(r));
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines[0].split(/\s{2,}/), ['NAMESPACE', 'NAME', 'HEALTH', 'INSTANCES', 'PRIMARY', 'AGE', 'FINDING']);
  const row = lines.find((l) => /^db\s+hippo\s/.test(l));
  assert.ok(row, show(r));
  const cols = row!.split(/\s+/);
  assert.is(cols[2], 'Blocked');
  assert.is(cols[3], '1/2');
  assert.match(row!, /SwitchoverBlocked: .*\(\+\d+ more\)$/);
  assert.not.match(r.stdout, /\x1b\[/, 'piped: no colour');
  assert.is(r.stderr, '');
});

let detail: RunResult;

test('detail through real kubectl: Blocked, both findings, the kept volume named; exit 2', async () => {
  detail = await viaKubectl(['status', 'hippo', '--from', incident]);
  assert.is(detail.code, 2, show(detail));
  assert.match(detail.stdout, /^Health:\s+Blocked \(PGO cannot converge by itself: SwitchoverBlocked\)$/m);
  assert.match(detail.stdout, /^ {2}ERROR {3}SwitchoverBlocked /m);
  assert.match(detail.stdout, /^ {2}ERROR {3}InstanceMissing .*blocked by SwitchoverBlocked/m);
  assert.match(detail.stdout, /<missing> \(pgdata hippo-instance2-\w+-pgdata kept\)/);
  assert.match(detail.stdout, /^Switchover:\n {2}State:\s+Blocked$/m);
  // The same bytes as the plugin run directly: kubectl only dispatches.
  const direct = await plugin(['status', 'hippo', '--from', incident]);
  assert.is(direct.stdout, detail.stdout);
});

test('the remedy is pasteable: its command lines run in bash as printed, with the right arguments', async () => {
  const commands = detail.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('kubectl patch postgrescluster hippo') || l.startsWith('kubectl annotate postgrescluster hippo'));
  assert.ok(commands.length >= 2, show(detail));
  // A stand-in kubectl that writes its argv as JSON, one line per call.
  const stubDir = path.join(tmp, 'stub');
  const log = path.join(tmp, 'calls.jsonl');
  await run('mkdir', ['-p', stubDir]);
  writeFileSync(path.join(stubDir, 'kubectl'), `#!/usr/bin/env node\nrequire('fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');\n`);
  chmodSync(path.join(stubDir, 'kubectl'), 0o755);
  const unique = [...new Set(commands)];
  const r = await run('bash', ['-euo', 'pipefail', '-c', unique.join('\n')], { env: { ...process.env, PATH: `${stubDir}:${process.env.PATH}` } });
  assert.is(r.code, 0, show(r));
  const calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
  const patch = calls.find((c) => c[0] === 'patch')!;
  assert.equal(patch.slice(0, 8), ['patch', 'postgrescluster', 'hippo', '-n', 'db', '--type', 'merge', '-p']);
  assert.equal(JSON.parse(patch[8]), { spec: { patroni: { switchover: { enabled: false } } } });
  const annotate = calls.find((c) => c[0] === 'annotate')!;
  assert.equal(annotate, ['annotate', 'postgrescluster', 'hippo', '-n', 'db', 'postgres-operator.crunchydata.com/trigger-switchover-']);
});

test('-o json through the binary: a StatusReport with both errors; nothing but JSON on stdout; exit 2', async () => {
  const r = await plugin(['status', '--from', incident, '-o', 'json', '--color', 'always']);
  assert.is(r.code, 2, show(r));
  const report = JSON.parse(r.stdout);
  assert.is(report.apiVersion, 'kubectl-pgo.crunchy-tools.dev/v1alpha1');
  assert.is(report.kind, 'StatusReport');
  assert.equal(report.source, { kind: 'file', path: incident });
  const c = report.clusters.find((x: { name: string }) => x.name === 'hippo');
  assert.is(c.health, 'Blocked');
  // The two errors, and PGO's own words in the dump: its pgAuditDisabled Warning event, two False conditions.
  assert.equal(c.findings.map((f: { code: string }) => f.code).sort(), ['ConditionNotTrue', 'ConditionNotTrue', 'InstanceMissing', 'PgoWarningEvent', 'SwitchoverBlocked']);
  assert.is(c.switchover.state, 'Blocked');
  assert.is(report.summary.errors, 2);
  const y = await plugin(['status', '--from', incident, '-o', 'yaml']);
  assert.is(y.code, 2);
  assert.match(y.stdout, /^apiVersion: kubectl-pgo\.crunchy-tools\.dev\/v1alpha1\nkind: StatusReport\n/);
});

test('colour: --color always colours a pipe, NO_COLOR and --color never do not', async () => {
  const always = await plugin(['status', '--from', incident, '--color', 'always']);
  assert.ok(always.stdout.includes('\x1b[31mBlocked\x1b[39m'), show(always));
  const noColor = await plugin(['status', '--from', incident], { NO_COLOR: '1' });
  assert.not.match(noColor.stdout, /\x1b\[/);
  assert.is(always.stdout.replace(/\x1b\[\d+m/g, ''), noColor.stdout);
});

test('--max-lag is accepted with a suffix; a bad one is one line, exit 1', async () => {
  assert.is((await plugin(['status', '--from', incident, '--max-lag', '1Ki'])).code, 2);
  const r = await plugin(['status', '--from', incident, '--max-lag', 'much']);
  assert.is(r.code, 1, show(r));
  assert.is(r.stderr, 'error: invalid argument "much" for "--max-lag" flag: expected a byte count such as 16777216, 16Mi or 500k\n');
});

for (const [name, content] of [
  ['broken YAML', 'apiVersion: v1\nkind: List\nitems: [\n  - {'],
  ['not Kubernetes objects', '- just\n- a list\n'],
] as const) {
  test(`a malformed --from file (${name}): one line, exit 1, no stack trace`, async () => {
    const file = path.join(tmp, `${name.replace(/\W+/g, '-')}.yaml`);
    writeFileSync(file, content);
    for (const r of [await plugin(['status', '--from', file]), await viaKubectl(['status', '--from', file])]) {
      assert.is(r.code, 1, show(r));
      assert.is(r.stdout, '');
      assert.is(r.stderr.trimEnd().split('\n').length, 1, show(r));
      assert.match(r.stderr, /^error: /);
      assert.ok(r.stderr.includes(file), show(r));
      noStack(r);
    }
  });
}

test('--from a path that does not exist, and --watch with --from: one line, exit 1', async () => {
  const missing = await plugin(['status', '--from', path.join(tmp, 'nope.yaml')]);
  assert.is(missing.code, 1, show(missing));
  assert.is(missing.stderr.trimEnd().split('\n').length, 1, show(missing));
  noStack(missing);
  const watch = await plugin(['status', '--from', incident, '--watch']);
  assert.is(watch.code, 1);
  assert.is(watch.stderr, 'error: --watch cannot be used with --from: a file does not change; drop one of them\n');
});

test('the README shows the real output of status on the incident', async () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const block = (cmd: string) => {
    const start = readme.indexOf(`$ ${cmd}\n`);
    assert.ok(start >= 0, `README lacks "$ ${cmd}"`);
    const body = readme.slice(start + cmd.length + 3);
    return body.slice(0, body.search(/^(\$ |```)/m));
  };
  const rel = 'test/fixtures/incident/incident.yaml';
  const list = await plugin(['status', '--from', rel], { NO_COLOR: '1' });
  const detail = await plugin(['status', '--from', rel, 'hippo'], { NO_COLOR: '1' });
  const stale = 'README example is stale: paste the output of `kubectl pgo status --from ' + rel + ' [hippo]` again';
  assert.is(block(`kubectl pgo status --from ${rel}`), list.stdout, stale);
  assert.is(block(`kubectl pgo status --from ${rel} hippo`), detail.stdout, stale);
});

test('a cluster that is not in the dump: one line naming those that are, exit 1', async () => {
  const r = await plugin(['status', 'hipo', '--from', incident]);
  assert.is(r.code, 1, show(r));
  assert.is(r.stdout, '');
  assert.is(r.stderr.trimEnd().split('\n').length, 1, show(r));
  assert.match(r.stderr, /"hipo" not found.*hippo/);
});

test.run();
