// The help texts kept in the start-up snapshot: which command lines, widths and locales get them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HELP_WIDTHS, cachedHelp, helpRequests, rememberHelp } from '../../../cmd/help-cache.ts';

test('the root and each verb, with --help and -h', () => {
  assert.equal(helpRequests(['status', 'version']), [['--help'], ['-h'], ['status', '--help'], ['status', '-h'], ['version', '--help'], ['version', '-h']]);
});

test('nothing kept (the bundle on node, or a build without a snapshot): every line goes to yargs', () => {
  assert.is(cachedHelp(['--help'], 100, {}), undefined);
});

test('a kept text answers only its own arguments and width', () => {
  rememberHelp(['--help'], 100, 'ROOT 100');
  rememberHelp(['-h'], 100, 'ROOT 100');
  rememberHelp(['status', '--help'], 80, 'STATUS 80');
  assert.is(cachedHelp(['--help'], 100, {}), 'ROOT 100');
  assert.is(cachedHelp(['-h'], 100, {}), 'ROOT 100');
  assert.is(cachedHelp(['status', '--help'], 80, {}), 'STATUS 80');
  assert.is(cachedHelp(['status', '--help'], 100, {}), undefined);
  assert.is(cachedHelp(['--help'], 90, {}), undefined);
  assert.is(cachedHelp(['--help', '--color', 'never'], 100, {}), undefined);
  assert.is(cachedHelp(['status'], 100, {}), undefined);
  assert.is(cachedHelp([], 100, {}), undefined);
  assert.ok(HELP_WIDTHS.includes(100), 'a pipe (no columns) wraps at 100');
});

test('a locale yargs could translate into is left to yargs; English, C and POSIX are not', () => {
  for (const env of [{ LANG: 'en_US.UTF-8' }, { LC_ALL: 'C.UTF-8' }, { LANG: 'C' }, { LC_MESSAGES: 'POSIX' }, { LANGUAGE: 'en' }]) {
    assert.is(cachedHelp(['--help'], 100, env), 'ROOT 100', JSON.stringify(env));
  }
  for (const env of [{ LANG: 'de_DE.UTF-8' }, { LC_ALL: 'fr_FR', LANG: 'en_US' }, { LC_MESSAGES: 'ja_JP' }]) {
    assert.is(cachedHelp(['--help'], 100, env), undefined, JSON.stringify(env));
  }
});

test.run();
