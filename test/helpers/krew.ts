// Tests only: the packaged release (built on demand), Krew built by the sandbox's build-bins.sh,
// a PATH without node, and a loopback HTTP server for archive downloads.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { repoRoot } from './kubectl.ts';

export const releaseDir = path.join(repoRoot, 'dist/release');
export const version = `v${JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version}`;
export const linuxArchive = path.join(releaseDir, `kubectl-pgo_${version}_linux_amd64.tar.gz`);
export const linuxExe = path.join(releaseDir, 'linux-amd64/kubectl-pgo');

export const allPlatforms = ['linux/amd64', 'linux/arm64', 'darwin/amd64', 'windows/amd64'];
export const archiveOf = (platform: string) => {
  const [os, arch] = platform.split('/');
  return path.join(releaseDir, `kubectl-pgo_${version}_${os}_${arch}.${os === 'windows' ? 'zip' : 'tar.gz'}`);
};

/** The platforms the e2e suite packages: all (about 2 min), or those in KPGO_E2E_PLATFORMS (e.g. linux/amd64). */
export const e2ePlatforms = [
  ...new Set(['linux/amd64', ...(process.env.KPGO_E2E_PLATFORMS ?? allPlatforms.join(',')).split(',').filter(Boolean)]),
];

/**
 * Makes sure dist/release holds archives of the current bundle for e2ePlatforms: builds and packages
 * when one is missing or older than the bundle.
 */
export function ensurePackage(): void {
  const bundle = path.join(repoRoot, 'dist/kubectl-pgo');
  if (!existsSync(bundle)) execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  const built = statSync(bundle).mtimeMs;
  const stale = !existsSync(linuxExe) || e2ePlatforms.some((p) => !existsSync(archiveOf(p)) || statSync(archiveOf(p)).mtimeMs < built);
  if (!stale) return;
  execFileSync(process.execPath, ['scripts/package.mjs', '--platforms', e2ePlatforms.join(',')], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Krew v0.4.x from the sandbox's binary cache, built there when missing. */
export function krewBinary(): string {
  const script = path.join(repoRoot, 'scripts/sandbox/build-bins.sh');
  execFileSync('bash', [script, 'krew'], { stdio: ['ignore', 'ignore', 'ignore'] });
  const bin = path.join(execFileSync('bash', [script, '--path', 'krew'], { encoding: 'utf8' }).trim(), 'krew');
  if (!existsSync(bin)) throw new Error(`krew was not built (looked for ${bin})`);
  return bin;
}

/**
 * The current PATH with node taken out: a directory that holds `node` is replaced by a mirror (in
 * `scratch`) of symlinks to everything else in it, so git, sh and the rest stay reachable.
 */
export function pathWithoutNode(scratch: string, base = process.env.PATH ?? ''): string {
  const hidden = new Set(['node', 'nodejs', 'npm', 'npx', 'corepack']);
  return base
    .split(path.delimiter)
    .filter(Boolean)
    .map((d, i) => {
      if (!existsSync(path.join(d, 'node'))) return d;
      const mirror = path.join(scratch, `path-${i}`);
      if (!existsSync(mirror)) {
        mkdirSync(mirror, { recursive: true });
        for (const name of readdirSync(d)) if (!hidden.has(name)) symlinkSync(path.join(d, name), path.join(mirror, name));
      }
      return mirror;
    })
    .join(path.delimiter);
}

/** A directory with `kubectl-krew` (so `kubectl krew` works) and nothing else. */
export function krewToolsDir(tmp: string): string {
  const dir = path.join(tmp, 'tools');
  mkdirSync(dir, { recursive: true });
  symlinkSync(krewBinary(), path.join(dir, 'kubectl-krew'));
  return dir;
}

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program asynchronously (so a server in this process can answer it); code 124 on timeout. */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, opts: { cwd?: string; input?: string; timeoutMs?: number } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd: opts.cwd, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 120_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // Node releases the process handle just after 'close': resolve once it has.
      setImmediate(() => resolve({ code: timedOut ? 124 : (code ?? (signal ? 128 : 1)), stdout, stderr }));
    });
    if (child.stdin) {
      child.stdin.on('error', () => {}); // the program may exit without reading it
      child.stdin.end(opts.input);
    }
  });
}

/** Serves the files of `dir` on 127.0.0.1 and records the paths requested. */
export async function serveDir(dir: string): Promise<{ base: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
    requests.push(url);
    const name = path.basename(url);
    const file = path.join(dir, name);
    if (!readdirSync(dir).includes(name) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found\n');
      return;
    }
    const data = readFileSync(file);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': data.length }).end(data);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => setImmediate(resolve));
        server.closeAllConnections(); // Krew's keep-alive connections would hold close() open
      }),
  };
}
