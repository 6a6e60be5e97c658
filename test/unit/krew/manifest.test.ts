// The Krew manifest as the public index checks it, rendered from krew/pgo.yaml.tmpl over small
// archives made here by the release's own archive writers (no Node runtime download needed).
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { load as loadYaml } from 'js-yaml';
import { repoRoot } from '../../helpers/kubectl.ts';
// @ts-expect-error: build script without types
import { readZip, writeTarGz, writeZip, listTarGz } from '../../../scripts/package/archive.mjs';
// @ts-expect-error: build script without types
import { parseChecksums, renderManifest, DEFAULT_BASE_URL } from '../../../scripts/package/manifest.mjs';
// @ts-expect-error: build script without types
import { TARGETS, archiveName, exeName } from '../../../scripts/package/runtimes.mjs';
// @ts-expect-error: build script without types
import { validateManifest } from '../../../scripts/package/validate.mjs';

type Target = { os: string; arch: string };
const version = 'v1.2.3';
const base = 'http://127.0.0.1:9/releases';
const template = readFileSync(path.join(repoRoot, 'krew/pgo.yaml.tmpl'), 'utf8');
let tmp = '';
let checksums: Record<string, string> = {};
const archivePath = (uri: string) => {
  const name = uri.split('/').pop()!;
  return checksums[name] ? path.join(tmp, name) : undefined;
};

function makeArchive(t: Target, opts: { license?: boolean } = {}): string {
  const stage = mkdtempSync(path.join(tmp, 'stage-'));
  const files = [exeName(t), 'LICENSE-node', 'README.md'];
  if (opts.license !== false) files.push('LICENSE');
  if (t.os !== 'windows') files.push('kubectl_complete-pgo');
  for (const f of files) writeFileSync(path.join(stage, f), `${f} for ${t.os}/${t.arch}\n`);
  chmodSync(path.join(stage, exeName(t)), 0o755);
  const out = path.join(tmp, archiveName(version, t));
  (t.os === 'windows' ? writeZip : writeTarGz)(out, stage, files);
  return out;
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

test.before(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'kpgo-manifest-'));
  for (const t of TARGETS as Target[]) {
    const a = makeArchive(t);
    checksums[path.basename(a)] = sha(a);
  }
});
test.after(() => rmSync(tmp, { recursive: true, force: true }));

const render = (extra: Record<string, unknown> = {}) => renderManifest({ template, version, checksums, base, ...extra }) as string;

test('the rendered manifest passes the index checks, archives included', () => {
  assert.equal(validateManifest(render(), 'plugins/pgo.yaml', archivePath), []);
});

test('one entry per platform, darwin/arm64 on the amd64 archive (Rosetta), URIs on the given base', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const m: any = loadYaml(render());
  assert.is(m.metadata.name, 'pgo');
  assert.is(m.spec.version, version);
  const ids = m.spec.platforms.map((p: { selector: { matchLabels: Target } }) => `${p.selector.matchLabels.os}/${p.selector.matchLabels.arch}`);
  assert.equal(ids.sort(), ['darwin/amd64', 'darwin/arm64', 'linux/amd64', 'linux/arm64', 'windows/amd64']);
  const by = (id: string) => m.spec.platforms.find((p: { selector: { matchLabels: Target } }) => `${p.selector.matchLabels.os}/${p.selector.matchLabels.arch}` === id);
  assert.is(by('darwin/arm64').uri, by('darwin/amd64').uri);
  assert.is(by('darwin/arm64').sha256, by('darwin/amd64').sha256);
  assert.match(m.spec.caveats, /Rosetta 2/);
  assert.is(by('windows/amd64').bin, 'kubectl-pgo.exe');
  assert.is(by('windows/amd64').uri, `${base}/${version}/kubectl-pgo_${version}_windows_amd64.zip`);
  assert.is(by('linux/amd64').uri, `${base}/${version}/kubectl-pgo_${version}_linux_amd64.tar.gz`);
  assert.is(by('linux/amd64').sha256, checksums[`kubectl-pgo_${version}_linux_amd64.tar.gz`]);
  assert.match(m.spec.description, /not Crunchy Data's kubectl-pgo/);
  assert.match(m.spec.caveats, new RegExp(`store/pgo/${version.replace(/\./g, '\\.')}/kubectl_complete-pgo`));
});

test('the base URL comes from KPGO_RELEASE_BASE_URL, else a placeholder', () => {
  const saved = process.env.KPGO_RELEASE_BASE_URL;
  try {
    process.env.KPGO_RELEASE_BASE_URL = 'http://127.0.0.1:8080/x/';
    assert.match(renderManifest({ template, version, checksums }), /uri: http:\/\/127\.0\.0\.1:8080\/x\/v1\.2\.3\//);
    delete process.env.KPGO_RELEASE_BASE_URL;
    assert.ok(renderManifest({ template, version, checksums }).includes(`uri: ${DEFAULT_BASE_URL}/`));
  } finally {
    if (saved === undefined) delete process.env.KPGO_RELEASE_BASE_URL;
    else process.env.KPGO_RELEASE_BASE_URL = saved;
  }
});

test('only the platforms that have archives are listed; a requested one without a checksum is an error', () => {
  const only = { [`kubectl-pgo_${version}_linux_amd64.tar.gz`]: checksums[`kubectl-pgo_${version}_linux_amd64.tar.gz`] };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const m: any = loadYaml(renderManifest({ template, version, checksums: only, base }));
  assert.is(m.spec.platforms.length, 1);
  assert.throws(() => renderManifest({ template, version, checksums: only, base, targets: ['linux/arm64'] }), /no checksum/);
  assert.throws(() => renderManifest({ template, version, checksums: {}, base }), /nothing to put/);
});

test('the validator catches what the index rejects', () => {
  const good = render();
  const problems = (text: string, file = 'pgo.yaml') => validateManifest(text, file, archivePath).join('\n');
  assert.match(problems(good, 'plugins/other.yaml'), /does not match the file name other\.yaml/);
  assert.match(problems(good.replace(`version: ${version}`, 'version: 1.2.3')), /not semver with a leading v/);
  assert.match(problems(good.replace(/shortDescription: (.*)/, 'shortDescription: |\n    two\n    lines')), /one non-empty line/);
  const twice = good.replace('os: linux\n        arch: arm64', 'os: linux\n        arch: amd64');
  assert.match(problems(twice), /platform listed twice/);
  assert.match(problems(good.replace(/sha256: ([0-9a-f]{64})/, `sha256: ${'0'.repeat(64)}`)), /does not match kubectl-pgo_v1\.2\.3_linux_amd64\.tar\.gz/);
  assert.match(problems(good.replace(/      - from: LICENSE\n        to: "\."\n/g, '')), /files do not extract a LICENSE/);
});

test('an archive without LICENSE fails the check', () => {
  const t = (TARGETS as Target[]).find((x) => x.os === 'linux' && x.arch === 'arm64')!;
  const saved = { ...checksums };
  try {
    const a = makeArchive(t, { license: false });
    checksums[path.basename(a)] = sha(a);
    assert.match(validateManifest(render(), 'pgo.yaml', archivePath).join('\n'), /linux_arm64\.tar\.gz has no LICENSE/);
  } finally {
    const a = makeArchive(t);
    checksums = { ...saved, [path.basename(a)]: sha(a) };
  }
});

test('checksums file round trip', () => {
  const text = Object.entries(checksums).map(([n, s]) => `${s}  ${n}\n`).join('');
  assert.equal(parseChecksums(text), checksums);
});

test('zip archives keep names, contents and the executable bit; tar.gz keeps the member list', () => {
  const win = path.join(tmp, `kubectl-pgo_${version}_windows_amd64.zip`);
  const entries = readZip(win) as { name: string; mode: number; data: () => Buffer }[];
  assert.equal(entries.map((e) => e.name).sort(), ['LICENSE', 'LICENSE-node', 'README.md', 'kubectl-pgo.exe']);
  const exe = entries.find((e) => e.name === 'kubectl-pgo.exe')!;
  assert.is(exe.mode, 0o755);
  assert.is(exe.data().toString(), 'kubectl-pgo.exe for windows/amd64\n');
  assert.equal(
    (listTarGz(path.join(tmp, `kubectl-pgo_${version}_linux_amd64.tar.gz`)) as string[]).sort(),
    ['LICENSE', 'LICENSE-node', 'README.md', 'kubectl-pgo', 'kubectl_complete-pgo'],
  );
});

test('the release archives are reproducible: same input, same sha256', () => {
  const t = (TARGETS as Target[]).find((x) => x.os === 'windows')!;
  const first = sha(makeArchive(t));
  assert.is(sha(makeArchive(t)), first);
  const l = (TARGETS as Target[]).find((x) => x.os === 'linux' && x.arch === 'amd64')!;
  const a = sha(makeArchive(l));
  assert.is(sha(makeArchive(l)), a);
});

test.run();
