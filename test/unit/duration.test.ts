import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDuration } from '../../lib/cli/duration.ts';
import { UsageError } from '../../lib/cli/exit.ts';

test('durations as kubectl writes them', () => {
  assert.is(parseDuration('300s', 'timeout'), 300_000);
  assert.is(parseDuration('5m', 'timeout'), 300_000);
  assert.is(parseDuration('1h30m', 'timeout'), 5_400_000);
  assert.is(parseDuration('250ms', 'timeout'), 250);
  assert.is(parseDuration('30', 'timeout'), 30_000);
});

test('a bad duration is a usage error naming the flag', () => {
  for (const bad of ['', 'five', '5x', '5m garbage']) {
    assert.throws(() => parseDuration(bad, 'timeout'), (e: unknown) => e instanceof UsageError && /--timeout/.test((e as Error).message));
  }
});

test.run();
