// Which verbs go to Crunchy's kubectl-pgo, how it is found on PATH (never ourselves), and what a
// user sees without it; the real pass-through through cmd/main.ts with a stand-in Crunchy CLI.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closest, CRUNCHY_VERBS, decide, firstVerb } from '../../../lib/passthrough/decide.ts';
import { findPeer } from '../../../lib/passthrough/find-peer.ts';
import { repoRoot } from '../../helpers/kubectl.ts';

const ours = ['status', 'diff', 'heal', 'switchover', 'version', 'completion', 'help'];
let tmp = '';

test.before(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'kpgo-pass-'));
});
test.after(() => rmSync(tmp, { recursive: true, force: true }));

/** A stand-in for Crunchy's kubectl-pgo: prints its args and stdin, exits with $FAKE_EXIT. */
function fakeCrunchy(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const f = path.join(dir, 'kubectl-pgo');
  writeFileSync(
    f,
    '#!/bin/sh\nif [ "$1" = version ]; then echo "Client Version: v0.5.2"; exit 0; fi\n' +
      'printf "crunchy args:"; for a in "$@"; do printf " [%s]" "$a"; done; echo\n' +
      'printf "stdin: %s\\n" "$(cat)"\necho "to stderr" >&2\nexit "${FAKE_EXIT:-0}"\n',
  );
  chmodSync(f, 0o755);
  return f;
}

test('firstVerb skips global flags and their values', () => {
  assert.is(firstVerb(['backup', 'hippo']), 'backup');
  assert.is(firstVerb(['-n', 'db', 'backup', 'hippo']), 'backup');
  assert.is(firstVerb(['--namespace=db', '--context', 'prod', 'show', 'backup']), 'show');
  assert.is(firstVerb(['-A', 'status']), 'status');
  assert.is(firstVerb(['--help', 'backup']), undefined);
  assert.is(firstVerb([]), undefined);
  assert.is(firstVerb(['--', 'create']), 'create');
});

test('our verbs stay ours; Crunchy verbs pass through when a peer exists', () => {
  const peer = '/opt/crunchy/kubectl-pgo';
  let looked = 0;
  const find = () => {
    looked++;
    return peer;
  };
  assert.equal(decide({ args: ['status', 'hippo'], ours, findPeer: find }), { action: 'ours' });
  assert.equal(decide({ args: ['-n', 'db'], ours, findPeer: find }), { action: 'ours' });
  assert.is(looked, 0, 'PATH is not searched for our own verbs');
  for (const verb of CRUNCHY_VERBS) {
    assert.equal(decide({ args: ['-n', 'db', verb, 'hippo'], ours, findPeer: find }), { action: 'passthrough', verb, peer });
  }
});

test('without the peer, a Crunchy verb is refused with what this CLI has and where the verb lives', () => {
  const d = decide({ args: ['backup', 'hippo', '--repoName', 'repo1'], ours, findPeer: () => undefined });
  assert.is(d.action, 'refuse');
  if (d.action !== 'refuse') return;
  assert.match(d.message, /^error: "backup" is a verb of Crunchy Data's kubectl-pgo, which is not on PATH/);
  assert.match(d.message, /status, diff, heal, switchover, version, completion/);
  assert.not.match(d.message, /\bhelp\b/);
});

test('an unknown verb suggests the nearest of ours and names Crunchy’s verbs', () => {
  const d = decide({ args: ['stauts'], ours, findPeer: () => '/x/kubectl-pgo' });
  assert.is(d.action, 'refuse');
  if (d.action !== 'refuse') return;
  assert.match(d.message, /unknown verb "stauts" for "kubectl pgo"; did you mean "status"\?/);
  assert.match(d.message, /backup, create, delete, restore, show, start, stop, support/);
  assert.is(closest('frobnicate', ours), undefined);
});

test('a copy of ourselves started as the peer refuses instead of passing the verb back', () => {
  const d = decide({ args: ['backup'], ours, findPeer: () => '/x/kubectl-pgo', calledAsPeerBy: '/home/u/.krew/bin/kubectl-pgo' });
  assert.is(d.action, 'refuse');
  if (d.action === 'refuse') assert.match(d.message, /another copy of the same tool/);
});

test('findPeer: first kubectl-pgo on PATH that is not ourselves by real path, executable only', () => {
  const self = path.join(tmp, 'self', 'kubectl-pgo');
  mkdirSync(path.dirname(self), { recursive: true });
  writeFileSync(self, '#!/bin/sh\n');
  chmodSync(self, 0o755);
  const krewBin = path.join(tmp, 'krewbin');
  mkdirSync(krewBin, { recursive: true });
  symlinkSync(self, path.join(krewBin, 'kubectl-pgo')); // Krew's link to us
  const notExec = path.join(tmp, 'noexec');
  mkdirSync(notExec, { recursive: true });
  writeFileSync(path.join(notExec, 'kubectl-pgo'), 'data');
  const crunchy = fakeCrunchy(path.join(tmp, 'crunchy'));
  const PATH = [krewBin, notExec, path.join(tmp, 'missing'), path.dirname(crunchy)].join(':');
  assert.is(findPeer({ env: { PATH }, self: [self] }), crunchy);
  assert.is(findPeer({ env: { PATH: [krewBin, notExec].join(':') }, self: [self] }), undefined);
  assert.is(findPeer({ env: { PATH: krewBin, KUBECTL_PGO_CRUNCHY: crunchy }, self: [self] }), crunchy);
  assert.is(findPeer({ env: { PATH: path.dirname(crunchy), KUBECTL_PGO_CRUNCHY: path.join(krewBin, 'kubectl-pgo') }, self: [self] }), undefined);
});

const runMain = (args: string[], env: NodeJS.ProcessEnv, input = '') =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'cmd/main.ts'), ...args], { env: { ...process.env, ...env }, input, encoding: 'utf8' });

test('through cmd/main.ts: args, stdin, stdout, stderr and the exit code pass through unchanged', () => {
  const crunchy = fakeCrunchy(path.join(tmp, 'crunchy2'));
  const r = runMain(['-n', 'db', 'backup', 'hippo', '--repoName', 'repo 1'], { PATH: `${path.dirname(crunchy)}:${process.env.PATH}`, FAKE_EXIT: '3' }, 'from stdin');
  assert.is(r.status, 3, r.stderr);
  assert.is(r.stdout, 'crunchy args: [-n] [db] [backup] [hippo] [--repoName] [repo 1]\nstdin: from stdin\n');
  assert.is(r.stderr, 'to stderr\n');
});

test('through cmd/main.ts: without the peer, exit 1 and one helpful message', () => {
  // PATH with node's directory only: whatever kubectl-pgo this machine has elsewhere stays out.
  const r = runMain(['backup', 'hippo'], { PATH: path.dirname(process.execPath), KUBECTL_PGO_CRUNCHY: '' });
  assert.is(r.status, 1);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /^error: "backup" is a verb of Crunchy Data's kubectl-pgo, which is not on PATH\./);
});

test('version shows both CLIs', () => {
  const crunchy = fakeCrunchy(path.join(tmp, 'crunchy3'));
  const r = runMain(['version', '--client'], { PATH: `${path.dirname(crunchy)}:${process.env.PATH}` });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Client Version: v/m);
  assert.match(r.stdout, new RegExp(`^Crunchy kubectl-pgo: v0\\.5\\.2 at ${crunchy.replace(/[/.]/g, '\\$&')}`, 'm'));
  const j = runMain(['version', '--client', '-o', 'json'], { PATH: `${path.dirname(crunchy)}:${process.env.PATH}` });
  const data = JSON.parse(j.stdout);
  assert.is(data.crunchyClient.version, 'v0.5.2');
  assert.is(data.crunchyClient.path, crunchy);
  assert.is(data.operator, undefined, '--client does not look at the cluster');
});

test.run();
