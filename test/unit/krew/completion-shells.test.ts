// The zsh and fish completion scripts of `kubectl pgo completion`, run in the real shells (Debian's
// zsh and fish, installed by scripts/setup.sh) against a stand-in kubectl-pgo that records how
// it was asked. zsh is driven in a pseudo-terminal (zsh/zpty): the line is typed with a TAB and
// run, and the stand-in sees the completed command line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { completionScript } from '../../../lib/completion/scripts.ts';

let dir = '';
test.before.each(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kpgo-shells-'));
  // Verbs for the first word; after `--from` a directive that lets the shell complete files.
  writeFileSync(
    path.join(dir, 'kubectl-pgo'),
    `#!/bin/sh\necho "$*" >> "${dir}/called"\ncase "$*" in *--from*) echo ":0"; exit 0;; esac\nprintf "status\\tWhat is wrong\\nswitchover\\tMove the primary\\n:4\\n"\n`,
    { mode: 0o755 },
  );
  writeFileSync(path.join(dir, 'dump.yaml'), '');
  writeFileSync(path.join(dir, 'script.zsh'), completionScript('zsh'));
  writeFileSync(path.join(dir, 'script.fish'), completionScript('fish'));
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

const env = () => ({ PATH: `${dir}:${process.env.PATH}`, HOME: dir, TERM: 'dumb' });
const called = () => (existsSync(path.join(dir, 'called')) ? readFileSync(path.join(dir, 'called'), 'utf8').trim().split('\n') : []);

/** Types `line` and TAB in an interactive zsh, then Enter; returns the stand-in's calls. */
function zsh(line: string): string[] {
  const driver = `
zmodload zsh/zpty
zpty -b z 'zsh -f -i'
zpty -w z 'autoload -Uz compinit; compinit -u -D; source ./script.zsh; PS1="> "'
zpty -w -n z ${shellQuote(line)}$'\\t'
for i in {1..50}; do [[ -s called ]] && break; sleep 0.1; done
sleep 0.3
zpty -w -n z $'\\n'
for i in {1..50}; do (( $(wc -l < called) >= 2 )) && break; sleep 0.1; done
zpty -w z 'exit'
zpty -d z
`;
  const r = spawnSync('zsh', ['-f', '-c', driver], { cwd: dir, env: env(), encoding: 'utf8', timeout: 20_000 });
  assert.is(r.status, 0, r.stderr);
  return called();
}
const shellQuote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

test('zsh: the words before the cursor reach `__complete`, and the one candidate is inserted', () => {
  assert.equal(zsh('kubectl-pgo -n db st'), ['__complete -n db st', '-n db status']);
});

test('zsh: with the file directive (:0) and no candidate, zsh completes file names', () => {
  assert.equal(zsh('kubectl-pgo status --from du'), ['__complete status --from du', 'status --from dump.yaml']);
});

test('fish: candidates with their descriptions, filtered by the word typed; the words reach `__complete`', () => {
  const r = spawnSync('fish', ['--no-config', '-c', 'source script.fish; complete -C "kubectl-pgo -n db st"'], { cwd: dir, env: env(), encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, 'status\tWhat is wrong\n');
  assert.equal(called(), ['__complete -n db st']);
  const all = spawnSync('fish', ['--no-config', '-c', 'source script.fish; complete -C "kubectl-pgo "'], { cwd: dir, env: env(), encoding: 'utf8' });
  assert.is(all.stdout, 'status\tWhat is wrong\nswitchover\tMove the primary\n');
});

test.run();
