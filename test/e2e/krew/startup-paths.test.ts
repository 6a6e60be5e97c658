// The single executable answers some command lines from its start-up snapshot (help texts, and
// the argv of lines with nothing a user varies: cmd/help-cache.ts, cmd/parse-cache.ts). Each must
// print exactly what yargs makes of it at run time: the bundle on node (no snapshot, so no kept
// answers) is the reference, same arguments, same environment. Only the runtime line of `version`
// differs, by design.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot } from '../../helpers/kubectl.ts';
import { ensurePackage, linuxExe, run } from '../../helpers/krew.ts';
import { helpRequests } from '../../../cmd/help-cache.ts';
import { KEPT_LINES } from '../../../cmd/parse-cache.ts';
import { verbs } from '../../../cmd/verbs.ts';

let tmp = '';
let env: NodeJS.ProcessEnv = {};

test.before(() => {
  ensurePackage();
  tmp = mkdtempSync(path.join(tmpdir(), 'kpgo-startup-'));
  // A cluster that refuses: the kept status and version lines get as far as connecting.
  const kubeconfig = path.join(tmp, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
      'contexts: [{name: x, context: {cluster: c, user: u, namespace: db}}]',
      'current-context: x',
      'users: [{name: u, user: {token: t}}]',
      '',
    ].join('\n'),
  );
  env = { PATH: process.env.PATH, HOME: tmp, KUBECONFIG: kubeconfig };
});
test.after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// The runtime carrying the client is the one difference between the two.
const runtimeFree = (s: string) =>
  s.replace(/^Runtime: .*$/m, 'Runtime: -').replace(/"runtime": \{[^}]*\}/, '"runtime": {}').replace(/^( *)runtime:\n(?:\1 +.*\n)+/m, '$1runtime: -\n');

test('help and the kept lines: the single executable prints what yargs prints, with the same exit code', async () => {
  const names = verbs.map((v) => v.command.split(' ')[0]);
  const lines = [...helpRequests(names), ...KEPT_LINES, ['version', '--client', '--bogus'], ['status', '-A', '-o', 'xml']];
  for (const args of lines) {
    const [sea, bundle] = await Promise.all([
      run(linuxExe, args, env, { timeoutMs: 30_000 }),
      run(process.execPath, [path.join(repoRoot, 'dist/kubectl-pgo'), ...args], env, { timeoutMs: 30_000 }),
    ]);
    const what = args.join(' ');
    assert.is(sea.code, bundle.code, `${what}: exit code`);
    assert.is(runtimeFree(sea.stdout), runtimeFree(bundle.stdout), `${what}: stdout`);
    assert.is(sea.stderr, bundle.stderr, `${what}: stderr`);
    assert.ok(sea.stdout.length + sea.stderr.length > 0, `${what}: says something`);
  }
});

test.run();
