// Downloads a Node runtime from its npm package (node-<os>-<arch>) into a cache outside the repo,
// once per version, and checks the tarball against the pinned integrity.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

export const cacheDir = () =>
  process.env.KPGO_PACKAGE_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'kubectl-pgo-package');

function sri(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/** Returns { node, license }: paths of the runtime binary and Node's LICENSE, both in the cache. */
export function ensureRuntime({ pkg, version, exe, integrity }, log = () => {}) {
  const root = cacheDir();
  const dir = path.join(root, `${pkg}-${version}`);
  const node = path.join(dir, path.basename(exe));
  const license = path.join(dir, 'LICENSE');
  if (existsSync(node) && existsSync(path.join(dir, '.ok'))) return { node, license: existsSync(license) ? license : undefined };
  mkdirSync(root, { recursive: true });
  const tgz = path.join(root, `${pkg}-${version}.tgz`);
  if (!existsSync(tgz) || sri(tgz) !== integrity) {
    log(`downloading ${pkg}@${version} (npm pack)`);
    execFileSync('npm', ['pack', `${pkg}@${version}`, '--pack-destination', root, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const got = sri(tgz);
  if (got !== integrity) throw new Error(`${pkg}@${version}: integrity ${got} does not match the pinned ${integrity}`);
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const members = [`package/${exe}`];
  const listing = execFileSync('tar', ['tzf', tgz], { maxBuffer: 64 << 20 }).toString().split('\n');
  if (listing.includes('package/LICENSE')) members.push('package/LICENSE');
  execFileSync('tar', ['xzf', tgz, '-C', tmp, '--strip-components', String(exe.split('/').length), `package/${exe}`]);
  if (members.length > 1) execFileSync('tar', ['xzf', tgz, '-C', tmp, '--strip-components', '1', 'package/LICENSE']);
  execFileSync('touch', [path.join(tmp, '.ok')]);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { node, license: existsSync(license) ? license : undefined };
}
