// `npm run bench -- fleet [--clusters N] [--runs R]`: `status -A --all-contexts` over three
// contexts against the slowest single context (goal: at most 1.3x, not the sum). The three
// contexts point at the one sandbox API server (each a context of its own, read concurrently), so
// the figure is a worst case: three clusters' API servers would not share two CPU cores.
// Needs the sandbox up (control plane only is best); creates N clusters if fewer exist.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump, load } from 'js-yaml';
import { synthObjects, namespacesOf } from './synth.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const plugin = join(repo, 'dist/kubectl-pgo');
const CONTEXTS = ['eu', 'us', 'ap'];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const flag = (args, name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? Number(args[i + 1]) : dflt;
};

function sandboxEnv() {
  const env = {};
  for (const line of readFileSync(join(process.env.SANDBOX_DIR ?? join(repo, '.sandbox'), 'env'), 'utf8').split('\n')) {
    const m = /^(?:export\s+)?([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2].replace(/^["']|["']$/g, '');
  }
  return env;
}

/** The admin kubeconfig's cluster and user under three context names. */
function fleetKubeconfig(adminPath) {
  const kc = load(readFileSync(adminPath, 'utf8'));
  const ctx = kc.contexts.find((c) => c.name === kc['current-context']).context;
  const out = { apiVersion: 'v1', kind: 'Config', 'current-context': CONTEXTS[0], clusters: kc.clusters, users: kc.users, contexts: CONTEXTS.map((name) => ({ name, context: { ...ctx } })) };
  const file = join(mkdtempSync(join(tmpdir(), 'kpgo-bench-fleet-')), 'kubeconfig');
  writeFileSync(file, dump(out), { mode: 0o600 });
  return file;
}

function ensureClusters(kubectl, kubeconfig, n) {
  const have = JSON.parse(execFileSync(kubectl, ['--kubeconfig', kubeconfig, 'get', 'postgresclusters', '-A', '-o', 'json'], { maxBuffer: 256 << 20 }).toString()).items.length;
  if (have >= n) return have;
  const objs = synthObjects(n, { forApi: true, nsPrefix: 'bench-fleet' });
  for (const ns of namespacesOf(objs)) spawnSync('bash', [join(repo, 'scripts/sandbox/sandbox.sh'), 'namespace', ns], { stdio: 'ignore' });
  const dir = mkdtempSync(join(tmpdir(), 'kpgo-bench-fleet-'));
  const file = join(dir, 'objs.yaml');
  writeFileSync(file, dump({ apiVersion: 'v1', kind: 'List', items: objs }, { lineWidth: -1, noRefs: true }));
  spawnSync(kubectl, ['--kubeconfig', kubeconfig, 'create', '-f', file], { stdio: 'ignore' });
  return n;
}

function timed(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [plugin, ...args], { maxBuffer: 512 << 20 });
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, code: r.status, err: r.stderr.toString() };
}

export async function run(args) {
  if (!existsSync(plugin)) throw new Error('build first: npm run build');
  const env = sandboxEnv();
  const kubectl = join(env.KUBE_BIN_DIR, 'kubectl');
  const n = ensureClusters(kubectl, env.KUBECONFIG, flag(args, '--clusters', 50));
  const runs = flag(args, '--runs', 7);
  const kubeconfig = fleetKubeconfig(env.KUBECONFIG);
  const single = Object.fromEntries(CONTEXTS.map((c) => [c, []]));
  const fleet = [];
  for (let i = 0; i < runs; i++) {
    // Interleaved, so a slow moment of the shared machine hits every variant alike.
    for (const c of CONTEXTS) single[c].push(timed(['--kubeconfig', kubeconfig, '--context', c, 'status', '-A', '-o', 'json']).ms);
    const f = timed(['--kubeconfig', kubeconfig, 'status', '-A', '--all-contexts', '-o', 'json']);
    if (f.code === 1) throw new Error(`status --all-contexts failed: ${f.err.split('\n')[0]}`);
    fleet.push(f.ms);
  }
  const medians = CONTEXTS.map((c) => median(single[c]));
  const slowest = Math.max(...medians);
  const sum = medians.reduce((a, b) => a + b, 0);
  const f = median(fleet);
  process.stdout.write(`${n} clusters, ${CONTEXTS.length} contexts on one sandbox API server, medians of ${runs} interleaved runs:\n`);
  for (const [i, c] of CONTEXTS.entries()) process.stdout.write(`  status -A --context ${c}: ${Math.round(medians[i])} ms\n`);
  process.stdout.write(`  status -A --all-contexts: ${Math.round(f)} ms = ${(f / slowest).toFixed(2)}x the slowest single context (goal <= 1.3x; the sum would be ${(sum / slowest).toFixed(2)}x)\n`);
}
