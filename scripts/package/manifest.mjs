// Renders krew/pgo.yaml.tmpl into a Krew manifest: version, one platform entry per archive with its
// URI and sha256. The URI base comes from KPGO_RELEASE_BASE_URL (tests point it at a loopback server).
import { readFileSync } from 'node:fs';
import { ALIASES, TARGETS, archiveName, exeName, key } from './runtimes.mjs';

// Placeholder until the project has a release host; every real release sets KPGO_RELEASE_BASE_URL.
export const DEFAULT_BASE_URL = 'https://releases.kubectl-pgo.invalid/download';
export const DEFAULT_HOMEPAGE = 'https://kubectl-pgo.invalid/';

export function releaseUri(base, version, target) {
  return `${base.replace(/\/+$/, '')}/${version}/${archiveName(version, target)}`;
}

/** Parses a sha256sum-style checksums file into { archiveName: sha256 }. */
export function parseChecksums(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
    if (m) out[m[2]] = m[1];
  }
  return out;
}

function platformEntry(t, selector, uri, sha256) {
  const unix = t.os !== 'windows';
  const files = [
    { from: exeName(t), to: '.' },
    { from: 'LICENSE', to: '.' },
    { from: 'LICENSE-node', to: '.' },
    { from: 'README.md', to: '.' },
    ...(unix ? [{ from: 'kubectl_complete-pgo', to: '.' }] : []),
  ];
  return [
    '  - selector:',
    '      matchLabels:',
    `        os: ${selector.os}`,
    `        arch: ${selector.arch}`,
    `    uri: ${uri}`,
    `    sha256: ${sha256}`,
    '    files:',
    ...files.flatMap((f) => [`      - from: ${f.from}`, `        to: "${f.to}"`]),
    `    bin: ${exeName(t)}`,
  ].join('\n');
}

/**
 * @param {{ template: string, version: string, checksums: Record<string,string>, base?: string, homepage?: string, targets?: string[] }} o
 *   targets: the platforms to list (default: every target whose archive has a checksum).
 */
export function renderManifest(o) {
  const base = o.base ?? process.env.KPGO_RELEASE_BASE_URL ?? DEFAULT_BASE_URL;
  const entries = [];
  const present = (t) => o.checksums[archiveName(o.version, t)] !== undefined;
  for (const t of TARGETS) {
    if (o.targets ? !o.targets.includes(key(t)) : !present(t)) continue;
    const sha = o.checksums[archiveName(o.version, t)];
    if (!sha) throw new Error(`no checksum for ${archiveName(o.version, t)}`);
    entries.push(platformEntry(t, t, releaseUri(base, o.version, t), sha));
  }
  for (const a of ALIASES) {
    const t = TARGETS.find((x) => key(x) === a.sameAs);
    if (!t || !present(t) || (o.targets && !o.targets.includes(a.sameAs))) continue;
    entries.push(platformEntry(t, a, releaseUri(base, o.version, t), o.checksums[archiveName(o.version, t)]));
  }
  if (entries.length === 0) throw new Error('no platform has an archive: nothing to put in the manifest');
  return o.template
    .replaceAll('{{version}}', o.version)
    .replaceAll('{{homepage}}', o.homepage ?? DEFAULT_HOMEPAGE)
    .replace('{{platforms}}', entries.join('\n'));
}

export function readTemplate(repoRoot) {
  return readFileSync(`${repoRoot}/krew/pgo.yaml.tmpl`, 'utf8');
}
