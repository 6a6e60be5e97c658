// Tests only: run the real kubectl (built by scripts/sandbox/build-bins.sh) and the built plugin
// through it, the way a user does: `kubectl pgo ...` with dist/ on PATH.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Kubeconfig for this call; default: the test cluster's admin kubeconfig (see sandbox.ts). */
  kubeconfig?: string;
  /** Written to stdin, then stdin is closed. */
  input?: string;
  env?: Record<string, string>;
  /** Kill the process after this long (default 120 s); the result then has code 124. */
  timeoutMs?: number;
}

let kubectlBin: string | undefined;

/** The real kubectl: $KPGO_KUBECTL, else the one build-bins.sh built (never /usr/bin/kubectl). */
export function kubectlPath(): string {
  if (kubectlBin) return kubectlBin;
  const fromEnv = process.env.KPGO_KUBECTL;
  if (fromEnv) return (kubectlBin = fromEnv);
  const dir = execFileSync('bash', [path.join(repoRoot, 'scripts/sandbox/build-bins.sh'), '--path', 'kubernetes'], {
    encoding: 'utf8',
  }).trim();
  const bin = path.join(dir, 'kubectl');
  if (!existsSync(bin)) throw new Error(`kubectl not built yet: run bash scripts/sandbox/build-bins.sh kubernetes (looked for ${bin})`);
  return (kubectlBin = bin);
}

/** Runs a program and collects its output; never throws for a non-zero exit. */
export function run(bin: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal === 'SIGKILL' ? 124 : 128), stdout, stderr });
    });
    child.stdin.on('error', () => {}); // a program that exits without reading its input
    child.stdin.end(opts.input ?? '');
  });
}

/** Environment for kubectl and the plugin: the given kubeconfig, dist/ first on PATH, no colour. */
export function kubeEnv(kubeconfig: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KUBECONFIG: kubeconfig,
    PATH: `${path.join(repoRoot, 'dist')}:${path.dirname(kubectlPath())}:${process.env.PATH ?? ''}`,
    NO_COLOR: '1',
    ...extra,
  };
}

/** `kubectl ARGS` with an explicit kubeconfig (required here; sandbox.ts supplies the default). */
export function kubectlWith(kubeconfig: string, args: string[], opts: Omit<RunOptions, 'kubeconfig'> = {}): Promise<RunResult> {
  return run(kubectlPath(), args, { input: opts.input, env: kubeEnv(kubeconfig, opts.env), timeoutMs: opts.timeoutMs });
}

/** `kubectl pgo ARGS`: the built plugin (dist/kubectl-pgo) found by real kubectl on PATH. The
 *  kubeconfig goes through KUBECONFIG because kubectl rejects flags before a plugin's name. */
export function kubectlPgoWith(kubeconfig: string, args: string[], opts: Omit<RunOptions, 'kubeconfig'> = {}): Promise<RunResult> {
  const plugin = path.join(repoRoot, 'dist/kubectl-pgo');
  if (!existsSync(plugin)) throw new Error(`the plugin is not built: run npm run build (looked for ${plugin})`);
  return kubectlWith(kubeconfig, ['pgo', ...args], opts);
}

/** A one-line description of a result for assertion messages. */
export function describeRun(what: string, r: RunResult): string {
  const tail = (s: string) => s.trim().split('\n').slice(-15).join('\n');
  return `${what}: exit ${r.code}\n--- stdout ---\n${tail(r.stdout)}\n--- stderr ---\n${tail(r.stderr)}`;
}
