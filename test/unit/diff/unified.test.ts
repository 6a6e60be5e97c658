import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { unifiedDiff } from '../../../lib/diff/unified.ts';

const labels = { from: 'live/db/hippo', to: 'merged/db/hippo' };

test('equal texts give no diff', () => {
  assert.is(unifiedDiff('a\nb\n', 'a\nb\n', labels), '');
});

test('one changed line in the middle, with three lines of context', () => {
  const a = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].join('\n') + '\n';
  const b = a.replace('5\n', 'five\n');
  assert.is(
    unifiedDiff(a, b, labels),
    ['--- live/db/hippo', '+++ merged/db/hippo', '@@ -2,7 +2,7 @@', ' 2', ' 3', ' 4', '-5', '+five', ' 6', ' 7', ' 8', ''].join('\n'),
  );
});

test('far-apart changes make two hunks; additions at the end are counted', () => {
  const a = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n') + '\n';
  const b = a.replace('l1\n', 'L1\n') + 'l20\n';
  const d = unifiedDiff(a, b, labels);
  assert.equal(d.split('\n').filter((l) => l.startsWith('@@')), ['@@ -1,5 +1,5 @@', '@@ -18,3 +18,4 @@']);
  assert.ok(d.includes('+l20'));
});

test('from nothing (a creation) every line is added', () => {
  const d = unifiedDiff('', 'a\nb\n', labels);
  assert.ok(d.includes('@@ -0,0 +1,2 @@'));
  assert.ok(d.endsWith('+a\n+b\n'));
});

test.run();
