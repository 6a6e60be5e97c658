// `npm run bench -- watch [--minutes M] [--clusters N] [--exe PATH]` (default 2 minutes, 500
// clusters; the issue's run is 10 minutes): `status -A --watch -o json` over the scale fixture
// (made when missing, scripts/bench/fixture.mjs) while one object changes per second (a cluster's
// Patroni leader annotation, so every change changes the report). Samples the plugin's RSS and
// CPU time from /proc every 5 s; prints the memory slope (least squares over the run after the
// first minute, or over the second half of a shorter run), CPU per change, and the LIST
// requests the apiserver served meanwhile (a full re-list per change would be 11 per change).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { repo, requestTotal, sandboxEnv } from './common.mjs';
import { fixtureOrSay } from './fixture.mjs';
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

/** Merge patch over a keep-alive connection. */
function patcher(env) {
  const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
  const base = new URL(env.APISERVER_URL);
  return (path, patch) =>
    new Promise((res, rej) => {
      const body = JSON.stringify(patch);
      const headers = { Authorization: `Bearer ${env.ADMIN_TOKEN}`, 'Content-Type': 'application/merge-patch+json', 'Content-Length': Buffer.byteLength(body) };
      const req = https.request({ host: base.hostname, port: base.port, method: 'PATCH', path, agent, headers }, (r) => {
        r.resume();
        r.on('end', () => (r.statusCode < 300 ? res() : rej(new Error(`PATCH ${path}: ${r.statusCode}`))));
      });
      req.on('error', rej);
      req.end(body);
    });
}

export async function run(args) {
  const minutes = Number(flag(args, '--minutes', '2'));
  const wanted = Number(flag(args, '--clusters', '500'));
  const env = sandboxEnv();
  const kubectl = join(env.KUBE_BIN_DIR, 'kubectl');
  // The bundle npm run build just made (a packaged executable may be older than the code).
  const exe = flag(args, '--exe', [join(repo, 'dist/kubectl-pgo'), join(repo, 'dist/release/linux-amd64/kubectl-pgo')].find((f) => existsSync(f)));
  const made = await fixtureOrSay(env, wanted, { log: (m) => process.stderr.write(`[watch] ${m}\n`) });
  if (!made) return;
  if (made.clusters) out(`fixture: ${made.clusters} clusters written in ${made.seconds.toFixed(0)} s`);
  const clusters = made.clusters + made.skipped;
  // The changes: Patroni's leader moving between a cluster's two instances (the -ha Endpoints'
  // annotation), one cluster after the other - each one changes the report.
  const get = (kind) => JSON.parse(spawnSync(kubectl, ['--kubeconfig', env.KUBECONFIG, 'get', kind, '-A', '-l', 'postgres-operator.crunchydata.com/cluster', '-o', 'json'], { maxBuffer: 1 << 30 }).stdout.toString()).items;
  const instancePods = new Map();
  for (const p of get('pods')) {
    const key = `${p.metadata.namespace}/${p.metadata.labels['postgres-operator.crunchydata.com/cluster']}`;
    if (p.metadata.labels['postgres-operator.crunchydata.com/instance']) instancePods.set(key, [...(instancePods.get(key) ?? []), p.metadata.name]);
  }
  const leaders = get('endpoints')
    .filter((e) => e.metadata.name.endsWith('-ha') && e.metadata.annotations?.leader)
    .map((e) => {
      const leader = e.metadata.annotations.leader;
      const other = (instancePods.get(`${e.metadata.namespace}/${e.metadata.labels['postgres-operator.crunchydata.com/cluster']}`) ?? []).find((n) => n !== leader);
      return { path: `/api/v1/namespaces/${e.metadata.namespace}/endpoints/${e.metadata.name}`, leader, other };
    })
    .filter((l) => l.other);
  const patch = patcher(env);
  const child = spawn(exe, ['status', '-A', '--watch', '-o', 'json'], { env: { ...process.env, KUBECONFIG: env.KUBECONFIG }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let reports = 0;
  let bytes = 0;
  child.stderr.on('data', (c) => (stderr += c));
  child.stdout.on('data', (c) => {
    bytes += c.length;
    // Each report is one JSON document whose first line is "{".
    reports += (c.toString().match(/(^|\n)\{\n/g) ?? []).length;
  });
  const t00 = Date.now();
  while (reports === 0 && child.exitCode === null && Date.now() - t00 < 300_000) await sleep(200);
  if (reports === 0) throw new Error(`no first report from ${exe}: ${stderr.slice(0, 500)}`);
  const firstMs = Date.now() - t00;
  await sleep(2000);
  const reports0 = reports;
  const lists0 = requestTotal(kubectl, env.KUBECONFIG, 'LIST');
  const samples = [procSample(child.pid)];
  const t0 = Date.now();
  let changes = 0;
  while (Date.now() - t0 < minutes * 60_000) {
    const target = leaders[changes % leaders.length];
    const round = Math.floor(changes / leaders.length);
    // Even rounds move the leader to the other instance, odd ones move it back.
    const leader = round % 2 === 0 ? target.other : target.leader;
    await patch(target.path, { metadata: { annotations: { leader } } });
    changes++;
    await sleep(Math.max(0, t0 + changes * 1000 - Date.now()));
    if (changes % 5 === 0) samples.push(procSample(child.pid));
  }
  samples.push(procSample(child.pid));
  const lists = requestTotal(kubectl, env.KUBECONFIG, 'LIST') - lists0;
  child.kill('SIGINT');
  await new Promise((r) => child.on('exit', r));
  const tail = samples.filter((s) => s.t - t0 >= Math.min(60_000, (minutes * 60_000) / 2));
  const perMin = slope(tail.map((s) => (s.t - t0) / 60_000), tail.map((s) => s.rss));
  const cpu = samples[samples.length - 1].cpuMs - samples[0].cpuMs;
  out(`status -A --watch -o json over ${clusters} clusters, ${changes} changes (a leader moves, one a second) in ${minutes} min, ${exe}`);
  out(`  first report after ${(firstMs / 1000).toFixed(1)} s; ${reports - reports0} reports printed during the run (${(bytes / 1e6).toFixed(0)} MB in all)`);
  out(`  RSS ${samples[0].rss.toFixed(0)} MiB at the start, ${samples[samples.length - 1].rss.toFixed(0)} MiB at the end, max ${Math.max(...samples.map((s) => s.rss)).toFixed(0)} MiB`);
  const byMinute = [];
  for (const x of samples) (byMinute[Math.floor((x.t - t0) / 60_000)] ??= []).push(x.rss);
  out(`  RSS per minute (min-max MiB): ${byMinute.filter(Boolean).map((r) => `${Math.min(...r).toFixed(0)}-${Math.max(...r).toFixed(0)}`).join(', ')}`);
  out(`goal 4: memory slope ${perMin.toFixed(2)} MiB/min (least squares after the warm-up); CPU ${(cpu / changes).toFixed(0)} ms per change (${((cpu / (Date.now() - t0)) * 100).toFixed(0)}% of a core, the 30 s refresh included); ${lists} LIST requests in all (${(lists / changes).toFixed(2)} per change; a full re-list per change would be 11)`);
  if (stderr.trim()) out(`  stderr: ${stderr.trim().split('\n').slice(0, 3).join(' | ')}`);
}
