// Completion candidates from the real verb definitions, names from a stand-in source, and the bash
// script against a stand-in kubectl-pgo.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verbs } from '../../../cmd/verbs.ts';
import type { Verb } from '../../../lib/cli/verb.ts';
import { candidates, choicesFromDescribe, format, type NameSources } from '../../../lib/completion/candidates.ts';
import { flagsFromWords } from '../../../lib/completion/complete.ts';
import { completionScript } from '../../../lib/completion/scripts.ts';
import { globalFlagSpecs, verbSpecs } from '../../../lib/completion/spec.ts';

const specs = verbSpecs(verbs as Verb[]);
const globals = globalFlagSpecs();
const asked: string[] = [];
const sources: NameSources = {
  clusters: async () => (asked.push('clusters'), ['hippo', 'rhino']),
  instances: async (cluster) => (asked.push(`instances:${cluster ?? ''}`), cluster === 'hippo' ? ['hippo-00-abcd', 'hippo-00-efgh'] : []),
  namespaces: async () => (asked.push('namespaces'), ['db', 'default']),
  contexts: async () => ['prod', 'staging'],
};
const words = async (...w: string[]) => (await candidates(w, specs, globals, sources)).items.map((i) => i.split('\t')[0]);

test('verbs first, with descriptions; Crunchy verbs only when its CLI is there', async () => {
  const c = await candidates([''], specs, globals, sources);
  const names = c.items.map((i) => i.split('\t')[0]);
  for (const v of ['status', 'diff', 'heal', 'switchover', 'version', 'completion']) assert.ok(names.includes(v), v);
  assert.not.ok(names.includes('backup'));
  assert.ok(c.items.every((i) => i.includes('\t')), 'each verb has a description');
  assert.is(c.directive, 4, 'no file names');
  const withPeer = await candidates(['b'], specs, globals, sources, true);
  assert.equal(withPeer.items.map((i) => i.split('\t')[0]), ['backup']);
  assert.equal(await words('sw'), ['switchover']);
});

test('flags of the verb and the global ones', async () => {
  const f = await words('status', '--');
  for (const x of ['--output', '--from', '--watch', '--namespace', '--context', '--kubeconfig']) assert.ok(f.includes(x), x);
  assert.not.ok(f.includes('--to'), 'switchover flags are not offered for status');
  assert.equal(await words('switchover', 'hippo', '--t'), ['--to', '--type', '--timeout', '--token']);
});

test('cluster names for the cluster argument, instance names for --to (of the cluster typed)', async () => {
  asked.length = 0;
  assert.equal(await words('status', ''), ['hippo', 'rhino']);
  assert.equal(await words('-n', 'db', 'switchover', 'h'), ['hippo']);
  assert.equal(await words('switchover', 'hippo', '--to', ''), ['hippo-00-abcd', 'hippo-00-efgh']);
  assert.equal(await words('switchover', 'hippo', '--to=hippo-00-e'), ['--to=hippo-00-efgh']);
  assert.ok(asked.includes('instances:hippo'));
  assert.equal(await words('status', 'hippo', ''), [], 'status takes one cluster');
});

test('flag values: namespaces, contexts, declared choices, choices named in the help; files for file flags', async () => {
  assert.equal(await words('status', '-n', ''), ['db', 'default']);
  assert.equal(await words('--context', 's'), ['staging']);
  assert.equal(await words('completion', ''), ['bash', 'zsh', 'fish']);
  assert.equal(await words('version', '-o', ''), ['json', 'yaml']);
  assert.equal(await words('status', '-o', 'w'), ['wide']);
  assert.equal(await words('heal', '--dry-run', ''), ['none', 'client', 'server']);
  const file = await candidates(['status', '--from', ''], specs, globals, sources);
  assert.is(file.directive, 0, 'the shell completes file names');
  assert.equal(choicesFromDescribe('switchover (planned, needs a running primary) | failover (needs --to)'), ['switchover', 'failover']);
  assert.is(choicesFromDescribe('PostgresCluster name'), undefined);
});

test('a failing name source means no candidates, not an error', async () => {
  const broken: NameSources = { ...sources, clusters: async () => [] };
  const c = await candidates(['status', ''], specs, globals, broken);
  assert.equal(c.items, []);
  assert.is(format(c), ':4\n');
});

test('global flags typed before the word are used to ask the cluster', () => {
  const f = flagsFromWords(['--context', 'prod', '-n', 'db', '--kubeconfig=/k', 'status']);
  assert.is(f.context, 'prod');
  assert.is(f.namespace, 'db');
  assert.is(f.kubeconfig, '/k');
});

test('the bash script completes from `kubectl-pgo __complete` and falls back to files when allowed', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kpgo-compl-'));
  try {
    writeFileSync(
      path.join(dir, 'kubectl-pgo'),
      '#!/bin/sh\necho "$*" > "$(dirname "$0")/called"\nif [ "$3" = "--from" ]; then echo ":0"; exit 0; fi\nprintf "status\\tWhat is wrong\\nswitchover\\tMove the primary\\n:4\\n"\n',
    );
    chmodSync(path.join(dir, 'kubectl-pgo'), 0o755);
    writeFileSync(path.join(dir, 'dump.yaml'), '');
    writeFileSync(path.join(dir, 'script.bash'), completionScript('bash'));
    const run = (line: string) =>
      spawnSync('bash', ['-c', `source script.bash; COMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _kubectl_pgo; printf '%s\\n' "\${COMPREPLY[@]}"; cat called`], {
        cwd: dir,
        env: { PATH: `${dir}:${process.env.PATH}` },
        encoding: 'utf8',
      });
    const a = run(`kubectl-pgo -n db st`);
    assert.is(a.status, 0, a.stderr);
    assert.is(a.stdout, 'status\n__complete -n db st\n');
    const b = run(`kubectl-pgo status --from du`);
    assert.is(b.stdout.split('\n')[0], 'dump.yaml');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.match(completionScript('zsh'), /^#compdef kubectl-pgo/);
  assert.match(completionScript('zsh'), /"\$\{\(@\)words\[2,CURRENT-1\]\}"/);
  assert.match(completionScript('fish'), /complete -c kubectl-pgo -f -a '\(__kubectl_pgo_complete\)'/);
});

test.run();
