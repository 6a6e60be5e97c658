// Benchmarks of the engine: API requests of `status -A` at 1, 10 and 500 clusters (read from the
// apiserver's own metrics, so nothing of ours does the counting), and wall time and peak memory
// of `status --from` on a 500-cluster dump. Run: npm run bench -- collect   (needs the sandbox up).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { median, requestTotal, sandboxEnv } from './common.mjs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';
import { synthObjects, namespacesOf } from './synth.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const plugin = join(repo, 'dist/kubectl-pgo');

function createObjects(kubectl, kubeconfig, objs) {
  for (const ns of namespacesOf(objs)) {
    spawnSync('bash', [join(repo, 'scripts/sandbox/sandbox.sh'), 'namespace', ns], { stdio: 'ignore' });
  }
  const dir = mkdtempSync(join(tmpdir(), 'kpgo-bench-'));
  const chunks = 8;
  const procs = [];
  for (let c = 0; c < chunks; c++) {
    const part = objs.filter((_, i) => i % chunks === c);
    const file = join(dir, `part${c}.yaml`);
    writeFileSync(file, dump({ apiVersion: 'v1', kind: 'List', items: part }, { lineWidth: -1, noRefs: true }));
    procs.push(new Promise((res) => {
      const p = spawnSync(kubectl, ['--kubeconfig', kubeconfig, 'create', '-f', file], { stdio: 'ignore' });
      res(p.status);
    }));
  }
  return Promise.all(procs);
}

/** API requests that `status -A` makes, measured by the apiserver, at each cluster count. */
export async function apiRequestCounts(counts = [1, 10, 500]) {
  const env = sandboxEnv();
  const kubectl = join(env.KUBE_BIN_DIR, 'kubectl');
  const kubeconfig = env.KUBECONFIG;
  const results = [];
  let made = 0;
  const all = synthObjects(Math.max(...counts), { forApi: true });
  const perCluster = all.length / Math.max(...counts);
  for (const n of counts) {
    if (n > made) {
      await createObjects(kubectl, kubeconfig, all.slice(made * perCluster, n * perCluster));
      made = n;
    }
    const before = requestTotal(kubectl, kubeconfig);
    const t0 = process.hrtime.bigint();
    const r = spawnSync(plugin, ['--kubeconfig', kubeconfig, 'status', '-A', '-o', 'json'], { maxBuffer: 512 << 20 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const after = requestTotal(kubectl, kubeconfig);
    const clusters = JSON.parse(r.stdout.toString() || '{"clusters":[]}').clusters?.length ?? 0;
    // One GET /metrics of the "before" read is counted in "after": take it out.
    results.push({ clusters: n, seen: clusters, requests: after - before - 1, ms: Math.round(ms), exit: r.status });
  }
  return results;
}

/** Wall time and peak RSS of `status --from` on an n-cluster dump (medians of `runs`). */
export function fromFileCost(n = 500, runs = 5) {
  const dir = mkdtempSync(join(tmpdir(), 'kpgo-bench-'));
  const file = join(dir, `dump-${n}.yaml`);
  writeFileSync(file, dump({ apiVersion: 'v1', kind: 'List', items: synthObjects(n) }, { lineWidth: -1, noRefs: true }));
  const times = [];
  const rss = [];
  let exit;
  for (let i = 0; i < runs; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M', plugin, 'status', '--from', file, '-A', '-o', 'json'], { maxBuffer: 512 << 20 });
    const [secs, kb] = r.stderr.toString().trim().split('\n').pop().split(' ').map(Number);
    times.push(secs * 1000);
    rss.push(kb / 1024);
    exit = r.status;
  }
  return { clusters: n, bytes: readFileSync(file).length, wallMs: Math.round(median(times)), peakRssMiB: Math.round(median(rss)), exit };
}
