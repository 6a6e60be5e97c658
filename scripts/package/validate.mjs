// Checks a Krew manifest the way the public krew-index does (plus the archives it names, when
// given): name equal to the file name, semver with a leading v, a one-line shortDescription, no
// platform twice, and per platform a sha256 that matches, the bin and every `from` in the archive,
// and a LICENSE. Returns a list of problems (empty: valid).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { listTarGz, readZip } from './archive.mjs';

const SEMVER = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-.]+)?(?:\+[0-9A-Za-z-.]+)?$/;

function archiveMembers(file) {
  return file.endsWith('.zip') ? readZip(file).map((e) => e.name) : listTarGz(file).map((n) => n.replace(/^\.\//, ''));
}

/**
 * @param {string} text manifest YAML
 * @param {string} fileName the manifest's file name (plugins/<name>.yaml)
 * @param {(uri: string) => string | undefined} archiveFor local path of the archive a uri names, if at hand
 */
export function validateManifest(text, fileName, archiveFor = () => undefined) {
  const problems = [];
  let m;
  try {
    m = loadYaml(text);
  } catch (e) {
    return [`not YAML: ${e.message}`];
  }
  if (m?.apiVersion !== 'krew.googlecontainertools.github.com/v1alpha2') problems.push(`apiVersion is ${m?.apiVersion}`);
  if (m?.kind !== 'Plugin') problems.push(`kind is ${m?.kind}`);
  const name = m?.metadata?.name;
  if (`${name}.yaml` !== path.basename(fileName)) problems.push(`metadata.name "${name}" does not match the file name ${path.basename(fileName)}`);
  const spec = m?.spec ?? {};
  if (!SEMVER.test(String(spec.version))) problems.push(`spec.version "${spec.version}" is not semver with a leading v`);
  if (typeof spec.shortDescription !== 'string' || !spec.shortDescription.trim() || /\n/.test(spec.shortDescription.trim())) {
    problems.push('spec.shortDescription must be one non-empty line');
  }
  if (!spec.homepage) problems.push('spec.homepage is missing');
  const platforms = Array.isArray(spec.platforms) ? spec.platforms : [];
  if (platforms.length === 0) problems.push('spec.platforms is empty');
  const seen = new Set();
  for (const [i, p] of platforms.entries()) {
    const labels = p?.selector?.matchLabels ?? {};
    const id = `${labels.os}/${labels.arch}`;
    const where = `platforms[${i}] (${id})`;
    if (!labels.os || !labels.arch) problems.push(`${where}: selector.matchLabels needs os and arch`);
    if (seen.has(id)) problems.push(`${where}: platform listed twice`);
    seen.add(id);
    if (!/^https?:\/\//.test(String(p.uri))) problems.push(`${where}: uri "${p.uri}" is not http(s)`);
    if (!/^[0-9a-f]{64}$/.test(String(p.sha256))) problems.push(`${where}: sha256 is not 64 hex digits`);
    if (!p.bin) problems.push(`${where}: bin is missing`);
    if (labels.os === 'windows' && p.bin && !String(p.bin).endsWith('.exe')) problems.push(`${where}: a Windows bin must end in .exe`);
    const froms = (p.files ?? []).map((f) => String(f.from));
    if (!froms.some((f) => /^LICEN[CS]E(\.\w+)?$/.test(path.basename(f)))) problems.push(`${where}: files do not extract a LICENSE`);
    const archive = archiveFor(p.uri);
    if (archive) {
      const sha = createHash('sha256').update(readFileSync(archive)).digest('hex');
      if (sha !== p.sha256) problems.push(`${where}: sha256 ${p.sha256} does not match ${path.basename(archive)} (${sha})`);
      const members = archiveMembers(archive);
      if (!members.some((n) => /^LICEN[CS]E$/.test(path.basename(n)))) problems.push(`${where}: ${path.basename(archive)} has no LICENSE`);
      for (const f of froms) if (!members.includes(f)) problems.push(`${where}: ${f} is not in ${path.basename(archive)}`);
      if (!froms.includes(String(p.bin)) && !members.includes(String(p.bin))) problems.push(`${where}: bin ${p.bin} is not extracted`);
    }
  }
  return problems;
}
