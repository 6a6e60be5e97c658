// `npm run bench -- watch [--minutes M] [--exe PATH]` (default 2 minutes; the run is 10):
// `status -A --watch` over the fleet already in the sandbox (`npm run bench -- scale 500 --create-only`)
// while one pod changes per second (an annotation, by merge patch). Samples the plugin's RSS and
// CPU time from /proc every 5 s; prints the memory slope (least squares over the run after the
// first minute, or over the second half of a shorter run), CPU per change, and the LIST
// requests the apiserver served meanwhile (a full re-list per change would be ~11 per change).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { repo, requestTotal, sandboxEnv } from './common.mjs';
import { countClusters } from './scale.mjs';
const flag = (args, name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const out = (s) => process.stdout.write(`${s}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function procSample(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  return { t: Date.now(), cpuMs: (ticks * 1000) / 100, rss };
}

/** Least-squares slope of y over x. */
function slope(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den ? num / den : 0;
}

export async function run(args) {
  const minutes = Number(flag(args, '--minutes', '2'));
  const env = sandboxEnv();
  const kubectl = join(env.KUBE_BIN_DIR, 'kubectl');
  const exe = flag(args, '--exe', [join(repo, 'dist/release/linux-amd64/kubectl-pgo'), join(repo, 'dist/kubectl-pgo')].find((f) => existsSync(f)));
  const clusters = countClusters();
  if (clusters === 0) throw new Error('no clusters in the sandbox: npm run bench -- scale 500 --create-only');
  const pods = JSON.parse(spawnSync(kubectl, ['--kubeconfig', env.KUBECONFIG, 'get', 'pods', '-A', '-l', 'postgres-operator.crunchydata.com/cluster', '-o', 'json'], { maxBuffer: 1 << 30 }).stdout.toString()).items.map((p) => [p.metadata.namespace, p.metadata.name]);
  const child = spawn(exe, ['status', '-A', '--watch'], { env: { ...process.env, KUBECONFIG: env.KUBECONFIG }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  // Ready once the first report is out: its first LISTs done and the CPU settles.
  await sleep(5000);
  const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
  const base = new URL(env.APISERVER_URL);
  const patch = (ns, name, n) =>
    new Promise((res, rej) => {
      const body = JSON.stringify({ metadata: { annotations: { 'bench.kubectl-pgo/tick': String(n) } } });
      const req = https.request({ host: base.hostname, port: base.port, method: 'PATCH', path: `/api/v1/namespaces/${ns}/pods/${name}`, agent, headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}`, 'Content-Type': 'application/merge-patch+json', 'Content-Length': Buffer.byteLength(body) } }, (r) => {
        r.resume();
        r.on('end', () => (r.statusCode < 300 ? res() : rej(new Error(`PATCH ${r.statusCode}`))));
      });
      req.on('error', rej);
      req.end(body);
    });
  const lists0 = requestTotal(kubectl, env.KUBECONFIG, 'LIST');
  const samples = [procSample(child.pid)];
  const t0 = Date.now();
  let changes = 0;
  while (Date.now() - t0 < minutes * 60_000) {
    const [ns, name] = pods[changes % pods.length];
    await patch(ns, name, changes);
    changes++;
    await sleep(1000);
    if (changes % 5 === 0) samples.push(procSample(child.pid));
  }
  samples.push(procSample(child.pid));
  const lists = requestTotal(kubectl, env.KUBECONFIG, 'LIST') - lists0;
  child.kill('SIGINT');
  await new Promise((r) => child.on('exit', r));
  const tail = samples.filter((s) => s.t - t0 >= Math.min(60_000, (minutes * 60_000) / 2));
  const perMin = slope(tail.map((s) => (s.t - t0) / 60_000), tail.map((s) => s.rss));
  const cpu = samples[samples.length - 1].cpuMs - samples[0].cpuMs;
  out(`status -A --watch over ${clusters} clusters, ${changes} changes (one pod a second) in ${minutes} min, ${exe}`);
  out(`  RSS ${samples[0].rss.toFixed(0)} MiB at the start, ${samples[samples.length - 1].rss.toFixed(0)} MiB at the end, max ${Math.max(...samples.map((s) => s.rss)).toFixed(0)} MiB`);
  out(`goal 4: memory slope ${perMin.toFixed(2)} MiB/min (after the warm-up); CPU ${(cpu / changes).toFixed(0)} ms per change; ${lists} LIST requests in all (${(lists / changes).toFixed(2)} per change; a full re-list per change would be ~11)`);
  if (stderr.trim()) out(`  stderr: ${stderr.trim().split('\n').slice(0, 3).join(' | ')}`);
}
