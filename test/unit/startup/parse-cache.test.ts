// The argv kept for command lines that hold nothing a user varies.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KEPT_LINES, cachedParse, rememberParse } from '../../../cmd/parse-cache.ts';
import type { Verb } from '../../../lib/cli/verb.ts';

const verb: Verb = { command: 'version', describe: '', builder: (y) => y, run: async () => 0 };

test('only lines of verbs and fixed flags: no value a user chooses', () => {
  for (const line of KEPT_LINES) {
    for (const [i, w] of line.entries()) {
      const fixed = /^[a-z]+$/.test(w) || w.startsWith('-') || ['-o', '--output'].includes(line[i - 1]);
      assert.ok(fixed, `${line.join(' ')}: "${w}" looks like a value`);
    }
  }
  assert.ok(KEPT_LINES.some((l) => l.join(' ') === 'version --client'));
});

test('exactly the same words, and each run gets its own copy', () => {
  assert.is(cachedParse(['version', '--client']), undefined);
  rememberParse(['version', '--client'], verb, { _: ['version'], client: true, output: undefined, $0: 'kubectl pgo' });
  const a = cachedParse(['version', '--client'])!;
  assert.is(a.verb, verb);
  assert.equal(a.argv, { _: ['version'], client: true, output: undefined, $0: 'kubectl pgo' });
  assert.ok('output' in a.argv, 'keys yargs set to undefined stay');
  (a.argv._ as string[]).push('changed');
  assert.equal(cachedParse(['version', '--client'])!.argv._, ['version']);
  assert.is(cachedParse(['version', '--client', '-o', 'json']), undefined);
  assert.is(cachedParse(['--client', 'version']), undefined);
});

test.run();
