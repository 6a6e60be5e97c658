// The release as published: the rendered manifest valid for the index with every archive's
// sha256, each platform's executable really carrying the SEA blob (and no stale signature), sane
// sizes, and Krew installing every platform's archive (KREW_OS/KREW_ARCH).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kubectlPath, repoRoot } from '../../helpers/kubectl.ts';
import { archiveOf, e2ePlatforms, ensurePackage, krewToolsDir, pathWithoutNode, releaseDir, run, version } from '../../helpers/krew.ts';
// @ts-expect-error: build script without types
import { readFromTarGz, readZip } from '../../../scripts/package/archive.mjs';
// @ts-expect-error: build script without types
import { hasCodeSignature, segmentNames } from '../../../scripts/package/macho.mjs';
// @ts-expect-error: build script without types
import { hasAuthenticode } from '../../../scripts/package/pe.mjs';
// @ts-expect-error: build script without types
import { validateManifest } from '../../../scripts/package/validate.mjs';

const FUSE_ON = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1';
let tmp = '';

test.before(() => {
  ensurePackage();
  tmp = mkdtempSync(path.join(tmpdir(), 'kpgo-release-'));
});
test.after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function executableOf(platform: string): Buffer {
  const a = archiveOf(platform);
  if (platform.startsWith('windows/')) return (readZip(a) as { name: string; data: () => Buffer }[]).find((e) => e.name === 'kubectl-pgo.exe')!.data();
  return readFromTarGz(a, 'kubectl-pgo');
}

test('krew/pgo.yaml passes the index checks against the archives in dist/release', () => {
  const text = readFileSync(path.join(repoRoot, 'krew/pgo.yaml'), 'utf8');
  assert.is(readFileSync(path.join(repoRoot, 'krew/index/plugins/pgo.yaml'), 'utf8'), text, 'the index copy is the same manifest');
  const problems = validateManifest(text, 'krew/pgo.yaml', (uri: string) => {
    const file = path.join(releaseDir, uri.split('/').pop()!);
    return existsSync(file) ? file : undefined;
  });
  assert.equal(problems, []);
  for (const p of e2ePlatforms) assert.ok(text.includes(path.basename(archiveOf(p))), `${p} listed`);
  if (e2ePlatforms.includes('darwin/amd64')) assert.match(text, /os: darwin\n {8}arch: arm64/);
  assert.match(text, new RegExp(`version: ${version.replace(/\./g, '\\.')}\\n`));
});

test('each executable carries the SEA blob; signatures that would no longer match are gone', () => {
  for (const p of e2ePlatforms) {
    const exe = executableOf(p);
    assert.ok(exe.includes(FUSE_ON), `${p}: the SEA fuse is flipped`);
    if (p.startsWith('linux/')) {
      assert.is(exe.toString('latin1', 1, 4), 'ELF', p);
      assert.is(exe.readUInt16LE(18), p === 'linux/amd64' ? 0x3e : 0xb7, `${p}: e_machine`);
    } else if (p === 'darwin/amd64') {
      assert.is(exe.readUInt32LE(4), 0x01000007, 'x86_64 Mach-O');
      assert.not.ok(hasCodeSignature(exe), 'no stale code signature');
      assert.ok(segmentNames(exe).includes('NODE_SEA'), 'the NODE_SEA segment');
    } else if (p === 'windows/amd64') {
      assert.is(exe.toString('latin1', 0, 2), 'MZ');
      assert.not.ok(hasAuthenticode(exe), 'no stale Authenticode signature');
    }
  }
});

test('archive sizes stay sane', () => {
  for (const p of e2ePlatforms) {
    const mb = readFileSync(archiveOf(p)).length / 1e6;
    assert.ok(mb > 20 && mb < 60, `${p}: ${mb.toFixed(1)} MB`);
  }
});

test('Krew installs every platform\'s archive (KREW_OS / KREW_ARCH), darwin/arm64 from the amd64 archive', async () => {
  const kubectl = kubectlPath();
  const tools = krewToolsDir(tmp);
  const targets = e2ePlatforms.flatMap((p) => (p === 'darwin/amd64' ? [p, 'darwin/arm64'] : [p]));
  for (const target of targets) {
    const [os, arch] = target.split('/');
    const archive = archiveOf(target === 'darwin/arm64' ? 'darwin/amd64' : target);
    const krewRoot = path.join(tmp, `krew-${os}-${arch}`);
    const env = {
      PATH: [tools, pathWithoutNode(tmp)].join(':'),
      HOME: tmp,
      KREW_ROOT: krewRoot,
      KREW_OS: os,
      KREW_ARCH: arch,
      KREW_NO_UPGRADE_CHECK: '1',
      KREW_DEFAULT_INDEX_URI: path.join(tmp, 'no-default-index'),
    };
    const r = await run(kubectl, ['krew', 'install', `--manifest=${path.join(repoRoot, 'krew/pgo.yaml')}`, `--archive=${archive}`], env);
    assert.is(r.code, 0, `${target}: ${r.stderr}`);
    if (target === 'darwin/arm64') assert.match(r.stderr, /Rosetta 2/, 'the caveats are shown');
    const store = path.join(krewRoot, 'store', 'pgo', version);
    const exe = os === 'windows' ? 'kubectl-pgo.exe' : 'kubectl-pgo';
    for (const f of [exe, 'LICENSE', 'LICENSE-node', 'README.md']) assert.ok(existsSync(path.join(store, f)), `${target}: ${f}`);
  }
});

test.run();
