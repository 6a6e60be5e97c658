// --operator-log=DURATION|off: parsed before anything is read; off also leaves a dump's *.log unread.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../../lib/cli/exit.ts';
import { globalFlagsOf } from '../../../lib/cli/global-flags.ts';
import type { IO } from '../../../lib/cli/io.ts';
import { parseStatusArgs, runStatus } from '../../../lib/verbs/status.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DUMP = path.join(root, 'test/fixtures/reconcile-failing');
const args = (argv: Record<string, unknown>) => parseStatusArgs(argv, globalFlagsOf({ color: 'never', ...argv }));

test('default 15 minutes; a duration; off', () => {
  assert.equal(args({}).operatorLog, { sinceSeconds: 900, tailLines: 4096, limitBytes: 4194304 });
  assert.is(args({ operatorLog: '1h' }).operatorLog?.sinceSeconds, 3600);
  assert.is(args({ 'operator-log': '90s' }).operatorLog?.sinceSeconds, 90);
  assert.is(args({ operatorLog: 'off' }).operatorLog, undefined);
});

test('a bad value is one line, exit 1', () => {
  for (const bad of ['soon', '', '0s', '500ms']) {
    assert.throws(() => args({ operatorLog: bad }), (e: unknown) => e instanceof UsageError && e.code === 1 && /--operator-log/.test((e as Error).message) && !(e as Error).message.includes('\n'), bad);
  }
});

async function run(argv: Record<string, unknown>): Promise<{ code: number; out: string }> {
  let out = '';
  const io: IO = { out: (t) => (out += t), err: () => {}, isTTY: false, color: false };
  const code = await runStatus(args({ from: DUMP, output: 'json', ...argv }), io);
  return { code, out };
}

test('--from: the *.log beside the dump is read, unless --operator-log=off', async () => {
  const on = await run({});
  const report = JSON.parse(on.out);
  assert.is(on.code, 2);
  assert.ok(report.clusters[0].findings.some((f: { code: string }) => f.code === 'ReconcileFailing'));
  assert.is(report.operator.log.sources[0].file, path.join(DUMP, 'operator.log'));
  const off = JSON.parse((await run({ operatorLog: 'off' })).out);
  assert.is(off.operator.log, null);
  assert.not.ok(off.clusters[0].findings.some((f: { code: string }) => f.code === 'ReconcileFailing'));
});

test.run();
