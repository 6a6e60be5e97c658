// The dump archive against GNU tar: what we write, tar reads; what tar writes, we read.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readTarGz, writeTarGz } from '../../../lib/dump/tar.ts';

const entries = [
  { name: 'MANIFEST', data: Buffer.from('kind: DumpManifest\n') },
  { name: 'objects.yaml', data: Buffer.from('x'.repeat(513)) },
  { name: 'operator-postgres-operator-pgo-abc.log', data: Buffer.alloc(0) },
  { name: 'ü.txt', data: Buffer.from('é\n') },
];

test('GNU tar lists and extracts what we write, byte for byte', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kpgo-tar-'));
  const file = path.join(dir, 'd.tar.gz');
  writeFileSync(file, writeTarGz(entries));
  assert.equal(execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n'), entries.map((e) => e.name));
  const out = path.join(dir, 'x');
  mkdirSync(out);
  execFileSync('tar', ['-xzf', file, '-C', out]);
  for (const e of entries) assert.ok(readFileSync(path.join(out, e.name)).equals(e.data), e.name);
});

test('we read what GNU tar writes (directories skipped, names with a folder kept)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kpgo-tar-'));
  mkdirSync(path.join(dir, 'd'));
  writeFileSync(path.join(dir, 'd', 'a.yaml'), 'a: 1\n');
  writeFileSync(path.join(dir, 'd', 'b.log'), 'x'.repeat(2000));
  const file = path.join(dir, 'g.tar.gz');
  execFileSync('tar', ['-czf', file, '-C', dir, 'd']);
  const got = readTarGz(readFileSync(file)).map((e) => [e.name, e.data.length]);
  assert.equal(got.sort(), [['d/a.yaml', 5], ['d/b.log', 2000]]);
});

test('not an archive: one-line errors', () => {
  assert.throws(() => readTarGz(Buffer.from('hello')), /not a gzip archive/);
  const bad = writeTarGz(entries);
  const raw = gunzipSync(bad);
  raw[10] ^= 0xff;
  assert.throws(() => readTarGz(gzipSync(raw)), /bad header checksum/);
});

test.run();
