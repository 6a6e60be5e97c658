// scripts/uvu-run.mjs and run-tests.sh on small fixture folders (test/fixtures/runner), run as
// child processes: a hook's failure shows its reason and counts once, in its own file only;
// skips are named and never offset a failure; a file that does not load does not end the run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');

function runner(folder: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/uvu-run.mjs', `test/fixtures/runner/${folder}`], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  const count = (label: string) => Number(new RegExp(`^ *${label}: *(\\d+)`, 'm').exec(r.stdout)?.[1] ?? NaN);
  return { out: r.stdout, err: r.stderr, code: r.status, total: count('Total'), passed: count('Passed'), failed: count('Failed'), skipped: count('Skipped') };
}

test('a throwing before: its error printed, one failure, its tests not run, the next file runs', () => {
  const r = runner('before');
  assert.match(r.out, /FAIL a\.test\.ts: before hook threw \(2 test\(s\) not run\)\n {4}Error: the fixture database is not there/);
  assert.match(r.out, /Not run: +2/);
  assert.match(r.out, /b\.test\.ts\n• +\(1 \/ 1\)/);
  assert.equal([r.passed, r.failed, r.code], [1, 1, 1]);
});

test('a throwing after: printed, one failure of that file, the later file of the folder still runs', () => {
  const r = runner('after');
  assert.match(r.out, /FAIL a\.test\.ts: after hook threw\n {4}Error: could not remove the temp dir/);
  assert.match(r.out, /later file still runs|b\.test\.ts\n• +\(1 \/ 1\)/);
  assert.equal([r.total, r.passed, r.failed, r.code], [3, 3, 1, 1]);
});

test('a skip is named and does not cancel the failure next to it', () => {
  const r = runner('skip');
  assert.match(r.out, /SKIP a\.test\.ts: "not today"/);
  assert.match(r.out, /FAIL {2}"fails"/);
  assert.equal([r.total, r.passed, r.failed, r.skipped, r.code], [2, 1, 1, 1, 1]);
});

test('a file that throws while loading is one failure with its error; the run goes on', () => {
  const r = runner('load');
  assert.match(r.out, /FAIL a\.test\.ts: could not be loaded\n {4}Error: broken import/);
  assert.equal([r.passed, r.failed, r.code], [1, 1, 1]);
});

test('run-tests.sh records the failures uvu-run counted (skip + failure = 1 passed, 1 failed)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kpgo-runner-'));
  const results = join(dir, 'results');
  const r = spawnSync('bash', ['scripts/run-tests.sh', 'fixtures/runner/skip'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, KPGO_RESULTS: results } });
  assert.is(r.status, 1);
  assert.is(readFileSync(results, 'utf8'), 'fixtures/runner/skip 1 1\n');
  const before = spawnSync('bash', ['scripts/run-tests.sh', 'fixtures/runner/before'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, KPGO_RESULTS: results } });
  assert.is(before.status, 1);
  assert.is(readFileSync(results, 'utf8').split('\n')[1], 'fixtures/runner/before 1 1');
});

test('npm test (test-all.sh) stops at a failed build with its error; no suite runs on an old dist/', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kpgo-runner-'));
  const realNpm = spawnSync('bash', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
  // An npm whose build fails and that passes everything else to the real one.
  writeFileSync(join(dir, 'npm'), `#!/bin/sh\nif [ "$1 $2" = "run build" ]; then echo "esbuild: the bundle exploded" >&2; exit 1; fi\nexec "${realNpm}" "$@"\n`, { mode: 0o755 });
  const results = join(dir, 'results');
  const r = spawnSync('bash', ['scripts/test-all.sh'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, KPGO_RESULTS: results }, timeout: 300_000 });
  assert.is(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /esbuild: the bundle exploded/);
  assert.match(r.stdout, /error: npm run build failed \(its error is above\); no suite was run\n0 passed, 1 failed/);
  assert.not.match(r.stdout, /== unit tests ==/);
  assert.is(readFileSync(results, 'utf8'), 'build 0 1\n');
});

test.run();
