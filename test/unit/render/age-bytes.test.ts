import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatAge } from '../../../lib/render/age.ts';
import { formatBytes } from '../../../lib/render/bytes.ts';

test('ages as kubectl prints them', () => {
  const cases: Array<[number | null, string]> = [
    [null, '<unknown>'],
    [-5, '<invalid>'],
    [-1, '0s'],
    [0, '0s'],
    [5, '5s'],
    [119, '119s'],
    [120, '2m'],
    [200, '3m20s'],
    [599, '9m59s'],
    [600, '10m'],
    [179 * 60 + 59, '179m'],
    [3 * 3600, '3h'],
    [5 * 3600 + 10 * 60, '5h10m'],
    [8 * 3600, '8h'],
    [47 * 3600, '47h'],
    [48 * 3600, '2d'],
    [3 * 86400 + 4 * 3600, '3d4h'],
    [8 * 86400, '8d'],
    [729 * 86400, '729d'],
    [730 * 86400, '2y'],
    [830 * 86400, '2y100d'],
    [9 * 365 * 86400, '9y'],
  ];
  for (const [s, want] of cases) assert.is(formatAge(s), want, `${s}s`);
});

test('bytes in binary units', () => {
  assert.is(formatBytes(null), '-');
  assert.is(formatBytes(0), '0 B');
  assert.is(formatBytes(1023), '1023 B');
  assert.is(formatBytes(1024), '1 KiB');
  assert.is(formatBytes(1536), '1.5 KiB');
  assert.is(formatBytes(48 * 1024 * 1024), '48 MiB');
  assert.is(formatBytes(3 * 1024 ** 3 + 1024 ** 3 / 10), '3.1 GiB');
});

test.run();
