import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PassThrough } from 'node:stream';
import { confirm } from '../../../lib/apply/confirm.ts';
import { ExitError } from '../../../lib/cli/exit.ts';
import { memoryIO } from '../../../lib/cli/io.ts';

function ttyInput(text: string) {
  const s = new PassThrough() as PassThrough & { isTTY?: boolean };
  s.isTTY = true;
  s.end(text);
  return s;
}

test('without a terminal and without --yes: refused, exit 1, one clear line', async () => {
  const io = memoryIO();
  try {
    await confirm(io, 'Apply?', { yes: false, verb: 'kubectl pgo heal hippo' });
    assert.unreachable('should refuse');
  } catch (e) {
    assert.ok(e instanceof ExitError);
    assert.is((e as ExitError).code, 1);
    assert.match((e as Error).message, /^error: refusing to change anything without confirmation: stdin is not a terminal\. Re-run with --yes/);
    assert.not.match((e as Error).message, /\n/);
  }
});

test('--yes needs no terminal', async () => {
  assert.is(await confirm(memoryIO(), 'Apply?', { yes: true, verb: 'x' }), true);
});

test('on a terminal: y and yes agree, anything else (or nothing) declines', async () => {
  for (const [input, want] of [['y\n', true], ['YES\n', true], ['n\n', false], ['\n', false], ['', false], ['yep\n', false]] as const) {
    const io = { ...memoryIO(), stdin: ttyInput(input) };
    assert.is(await confirm(io, 'Apply these changes?', { yes: false, verb: 'x' }), want, JSON.stringify(input));
    assert.match(io.stderr(), /Apply these changes\? \[y\/N\]: /);
  }
});

test.run();
