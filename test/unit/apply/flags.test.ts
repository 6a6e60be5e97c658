import { test } from 'uvu';
import * as assert from 'uvu/assert';
import yargs from 'yargs';
import { parseDryRun, parseWriteFlags } from '../../../lib/apply/flags.ts';
import { heal } from '../../../cmd/heal.ts';
import { switchover } from '../../../cmd/switchover.ts';

async function argvOf(verb: typeof heal, args: string[]) {
  let seen: Record<string, unknown> = {};
  await yargs(args)
    .command(verb.command, verb.describe, verb.builder, (a) => {
      seen = a;
    })
    .parseAsync();
  return seen;
}

test('--dry-run: none by default; a bare --dry-run is client (never a write); bad values are refused', async () => {
  for (const verb of [heal, switchover]) {
    const name = verb.command.split(' ')[0];
    assert.is(parseWriteFlags(await argvOf(verb, [name, 'hippo'])).dryRun, 'none');
    assert.is(parseWriteFlags(await argvOf(verb, [name, 'hippo', '--dry-run'])).dryRun, 'client');
    assert.is(parseWriteFlags(await argvOf(verb, [name, 'hippo', '--dry-run=server'])).dryRun, 'server');
    assert.is(parseWriteFlags(await argvOf(verb, [name, 'hippo', '--wait=false'])).wait, false);
    assert.is(parseWriteFlags(await argvOf(verb, [name, 'hippo'])).wait, true);
    assert.is(parseWriteFlags(await argvOf(verb, [name, 'hippo', '--timeout', '90s'])).timeoutMs, 90_000);
  }
  assert.throws(() => parseDryRun('maybe'), /must be "none", "client", or "server"/);
});

test('--backup-dir: given, or the per-user default', () => {
  assert.is(parseWriteFlags({ backupDir: '/b' }).backupDir, '/b');
  assert.is(parseWriteFlags({}, { XDG_STATE_HOME: '/state' }).backupDir, '/state/kubectl-pgo/backups');
  assert.throws(() => parseWriteFlags({ backupDir: ' ' }), /--backup-dir/);
  assert.throws(() => parseWriteFlags({ timeout: '0s' }), /--timeout/);
});

test.run();
