// npm run package [-- --platforms linux/amd64,darwin/amd64] [--no-code-cache] [--no-snapshot]
// Makes dist/kubectl-pgo (npm run build) into single executable applications on pinned Node
// runtimes, one archive per platform in dist/release/ with LICENSE and README, a sha256 checksums
// file, the unpacked linux/amd64 executable, and krew/pgo.yaml (+ the index copy) rendered from
// krew/pgo.yaml.tmpl.
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTarGz, writeZip } from './package/archive.mjs';
import { ensureRuntime } from './package/fetch-node.mjs';
import { readTemplate, renderManifest } from './package/manifest.mjs';
import { validateManifest } from './package/validate.mjs';
import { ALIASES, BLOB_BUILDERS, HOST_TARGET, TARGETS, archiveName, dirName, exeName, key } from './package/runtimes.mjs';
import { buildBlob, findStripper, makeExecutable } from './package/sea.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg) => process.stderr.write(`[package] ${msg}\n`);

function parseArgs(argv) {
  const o = { platforms: TARGETS.map(key), codeCache: true, snapshot: true, out: path.join(root, 'dist/release') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (!v) throw new Error(`${a.split('=')[0]} needs a value`);
      return v;
    };
    if (a.startsWith('--platforms')) o.platforms = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--no-code-cache') o.codeCache = false;
    else if (a === '--no-snapshot') o.snapshot = false;
    else if (a.startsWith('--out')) o.out = path.resolve(value());
    else throw new Error(`unknown flag ${a} (flags: --platforms os/arch,..., --no-code-cache, --no-snapshot, --out DIR)`);
  }
  for (const p of o.platforms) {
    if (!TARGETS.some((t) => key(t) === p)) {
      const alias = ALIASES.find((a) => `${a.os}/${a.arch}` === p);
      throw new Error(alias ? `${p} ships the ${alias.sameAs} archive: ask for ${alias.sameAs}` : `unknown platform ${p} (known: ${TARGETS.map(key).join(', ')})`);
    }
  }
  return o;
}

const COMPLETER = `#!/bin/sh
# kubectl (1.26+) runs this to complete "kubectl pgo ..."; kubectl-pgo answers: the one beside
# this file, else the one on PATH.
self=$(readlink -f "$0" 2>/dev/null || printf '%s' "$0")
pgo="$(dirname "$self")/kubectl-pgo"
[ -x "$pgo" ] || pgo=kubectl-pgo
exec "$pgo" __complete "$@"
`;

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const bundle = path.join(root, 'dist/kubectl-pgo');
  if (!existsSync(bundle)) throw new Error('dist/kubectl-pgo is missing: run `npm run build` first');
  for (const f of ['LICENSE', 'README.md']) if (!existsSync(path.join(root, f))) throw new Error(`${f} is missing`);
  const version = `v${JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version}`;
  const out = opts.out;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const work = path.join(out, '.work');
  mkdirSync(work, { recursive: true });
  const strip = findStripper();
  if (!strip) log('no strip tool found: executables keep their symbols (larger, same behaviour)');
  const hostCanCache = process.platform === 'linux' && process.arch === 'x64';

  const blobs = new Map();
  const blobFor = (nodeVersion, codeCache, snapshot) => {
    const id = `${nodeVersion}${snapshot ? '-snapshot' : codeCache ? '-cache' : ''}`;
    if (!blobs.has(id)) {
      const builder = BLOB_BUILDERS[nodeVersion];
      if (!builder) throw new Error(`no blob builder pinned for node ${nodeVersion} (scripts/package/runtimes.mjs)`);
      const { node } = ensureRuntime({ ...builder, version: nodeVersion }, log);
      const blob = path.join(work, `sea-${id}.blob`);
      buildBlob({ builderNode: node, main: bundle, out: blob, codeCache, snapshot });
      blobs.set(id, blob);
    }
    return blobs.get(id);
  };

  const checksums = {};
  const rows = [];
  for (const t of TARGETS.filter((x) => opts.platforms.includes(key(x)))) {
    const ts = Date.now();
    const runtime = ensureRuntime(t, log);
    const codeCache = opts.codeCache && hostCanCache && key(t) === HOST_TARGET;
    // The start-up snapshot replaces the code cache where both could be made (the build machine's own target).
    const snapshot = opts.snapshot && hostCanCache && key(t) === HOST_TARGET;
    const stage = path.join(out, dirName(t));
    mkdirSync(stage, { recursive: true });
    const exe = path.join(stage, exeName(t));
    await makeExecutable({ runtime: runtime.node, format: t.format, arch: t.arch, blob: blobFor(t.version, codeCache, snapshot), out: exe, strip });
    copyFileSync(path.join(root, 'LICENSE'), path.join(stage, 'LICENSE'));
    copyFileSync(path.join(root, 'README.md'), path.join(stage, 'README.md'));
    // The runtime inside the executable is Node's, under Node's licence.
    const nodeLicense = runtime.license ?? ensureRuntime({ ...BLOB_BUILDERS[t.version], version: t.version }, log).license;
    copyFileSync(nodeLicense, path.join(stage, 'LICENSE-node'));
    const files = [exeName(t), 'LICENSE', 'LICENSE-node', 'README.md'];
    if (t.os !== 'windows') {
      writeFileSync(path.join(stage, 'kubectl_complete-pgo'), COMPLETER);
      chmodSync(path.join(stage, 'kubectl_complete-pgo'), 0o755);
      files.push('kubectl_complete-pgo');
    }
    const name = archiveName(version, t);
    const archive = path.join(out, name);
    (t.os === 'windows' ? writeZip : writeTarGz)(archive, stage, files);
    checksums[name] = sha256(archive);
    // Only the linux/amd64 executable stays unpacked (tests and the benchmark run it); the others
    // would add ~120 MB each.
    if (key(t) !== 'linux/amd64') rmSync(stage, { recursive: true, force: true });
    rows.push({ platform: key(t), node: t.version, codeCache, snapshot, exe: statSync(archive).size, archive: name, seconds: (Date.now() - ts) / 1000 });
    log(`${key(t)}: ${name} ${mb(statSync(archive).size)} (node ${t.version}${snapshot ? ', start-up snapshot' : codeCache ? ', code cache' : ''}) in ${((Date.now() - ts) / 1000).toFixed(1)} s`);
  }
  rmSync(work, { recursive: true, force: true });
  writeFileSync(
    path.join(out, 'checksums.txt'),
    Object.entries(checksums).sort(([a], [b]) => a.localeCompare(b)).map(([n, s]) => `${s}  ${n}\n`).join(''),
  );
  const manifest = renderManifest({ template: readTemplate(root), version, checksums });
  const problems = validateManifest(manifest, 'pgo.yaml', (uri) => {
    const name = uri.split('/').pop();
    return checksums[name] ? path.join(out, name) : undefined;
  });
  if (problems.length) throw new Error(`the rendered manifest is not valid:\n  ${problems.join('\n  ')}`);
  writeFileSync(path.join(out, 'pgo.yaml'), manifest);
  // The repo's manifests describe dist/release only; a build elsewhere (--out) keeps its own copy.
  if (out === path.join(root, 'dist/release')) {
    writeFileSync(path.join(root, 'krew/pgo.yaml'), manifest);
    mkdirSync(path.join(root, 'krew/index/plugins'), { recursive: true });
    writeFileSync(path.join(root, 'krew/index/plugins/pgo.yaml'), manifest);
    log(`wrote ${path.relative(root, out)}/checksums.txt, krew/pgo.yaml, krew/index/plugins/pgo.yaml`);
  } else log(`wrote ${out}/checksums.txt and ${out}/pgo.yaml`);
  for (const a of ALIASES) if (checksums[archiveName(version, TARGETS.find((x) => key(x) === a.sameAs))]) log(`${a.os}/${a.arch}: the ${a.sameAs} archive (Rosetta 2)`);
  log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((e) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
