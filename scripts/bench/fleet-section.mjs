// `npm run bench -- fleet [--clusters N] [--runs R] [--rtt 40,150] [--mbit M] [--sandboxes d1,d2,d3] [--trace]
// [--plugin BUNDLE[,BUNDLE2]]`:
// `status -A --all-contexts` over three contexts against the slowest single context (goal: at
// most 1.3x, not the sum), in two kinds of mode measured in the same interleaved rounds:
// - local: the three contexts point straight at the one sandbox API server ($SANDBOX_DIR), so the
//   three collections and the API server share this machine's cores: the CPU floor, not a fleet.
// - rtt<ms>: each context goes through a loopback proxy of its own that holds every byte rtt/2 in
//   each direction (TLS end to end through it; --mbit caps each direction, default none), as a
//   remote cluster would; with --sandboxes, context i talks to the API server of sandbox i (else all
//   to $SANDBOX_DIR's). The single-context runs go through the same proxies, so like is compared
//   with like.
// rtt<ms> replay (--servers live,replay; default both): the same proxies in front of replays of the
// API servers' recorded answers, so no API server CPU is on this machine's cores, as for remote
// clusters; the first round is not counted (it records).
// --trace: one more --all-contexts run per rtt mode, printing when each context's connections
// opened and its requests left (ms from the first), to see whether anything is serialized.
// Needs the sandbox(es) up (control plane only is best); creates N clusters in each if fewer exist.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { median, repo, sandboxEnv } from './common.mjs';
import { startLatencyProxy, startReplayServer } from './latency-proxy.mjs';
import { synthObjects, namespacesOf } from './synth.mjs';

const BUNDLE = join(repo, 'dist/kubectl-pgo');
const CONTEXTS = ['eu', 'us', 'ap'];
/** KPGO_BENCH_NODE_FLAGS: node flags for the plugin's runs, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p" to see where a mode's time goes. */
const PLUGIN_NODE_FLAGS = (process.env.KPGO_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);

const option = (args, name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const flag = (args, name, dflt) => Number(option(args, name) ?? dflt);

const envOf = (dir) => ({ SANDBOX_DIR: dir, ...sandboxEnv(dir) });

/** One kubeconfig with a context per name; context i reaches servers[i] as the admin of admins[i]. */
function fleetKubeconfig(admins, servers) {
  const out = { apiVersion: 'v1', kind: 'Config', 'current-context': CONTEXTS[0], clusters: [], users: [], contexts: [] };
  for (const [i, name] of CONTEXTS.entries()) {
    const kc = load(readFileSync(admins[i], 'utf8'));
    const ctx = kc.contexts.find((c) => c.name === kc['current-context']).context;
    const cluster = kc.clusters.find((c) => c.name === ctx.cluster).cluster;
    out.clusters.push({ name, cluster: { ...cluster, server: servers[i] ?? cluster.server } });
    out.users.push({ name, user: kc.users.find((u) => u.name === ctx.user).user });
    out.contexts.push({ name, context: { ...ctx, cluster: name, user: name } });
  }
  const file = join(mkdtempSync(join(tmpdir(), 'kpgo-bench-fleet-')), 'kubeconfig');
  writeFileSync(file, dump(out), { mode: 0o600 });
  return file;
}

function ensureClusters(env, n) {
  const kubectl = join(env.KUBE_BIN_DIR, 'kubectl');
  const have = JSON.parse(execFileSync(kubectl, ['--kubeconfig', env.KUBECONFIG, 'get', 'postgresclusters', '-A', '-o', 'json'], { maxBuffer: 256 << 20 }).toString()).items.length;
  if (have >= n) return have;
  const objs = synthObjects(n, { forApi: true, nsPrefix: 'bench-fleet' });
  for (const ns of namespacesOf(objs)) spawnSync('bash', [join(repo, 'scripts/sandbox/sandbox.sh'), 'namespace', ns], { stdio: 'ignore', env: { ...process.env, SANDBOX_DIR: env.SANDBOX_DIR } });
  const file = join(mkdtempSync(join(tmpdir(), 'kpgo-bench-fleet-')), 'objs.yaml');
  writeFileSync(file, dump({ apiVersion: 'v1', kind: 'List', items: objs }, { lineWidth: -1, noRefs: true }));
  spawnSync(kubectl, ['--kubeconfig', env.KUBECONFIG, 'create', '-f', file], { stdio: 'ignore' });
  return n;
}

/** Wall time of one plugin run; asynchronous, so the proxies in this process keep forwarding. */
function timed(plugin, args) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [...PLUGIN_NODE_FLAGS, plugin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, code, err }));
  });
}

async function measure(plugin, kubeconfig, label) {
  const single = [];
  for (const c of CONTEXTS) {
    const r = await timed(plugin, ['--kubeconfig', kubeconfig, '--context', c, 'status', '-A', '-o', 'json']);
    if (r.code === 1) throw new Error(`${label}: status --context ${c} failed: ${r.err.split('\n')[0]}`);
    single.push(r.ms);
  }
  const f = await timed(plugin, ['--kubeconfig', kubeconfig, 'status', '-A', '--all-contexts', '-o', 'json']);
  if (f.code === 1) throw new Error(`${label}: status --all-contexts failed: ${f.err.split('\n')[0]}`);
  return { single, fleet: f.ms };
}

function printTrace(label, proxies) {
  const t0 = Math.min(...proxies.flatMap((p) => p.events.map((e) => e.t)));
  const at = (e) => Math.round(e.t - t0);
  process.stdout.write(`  trace of one --all-contexts run (${label}; ms after the first connection, as the proxy saw them: >bytes from the plugin, <bytes from the server, first-last chunk):\n`);
  for (const [i, p] of proxies.entries()) {
    const byConn = new Map();
    for (const e of p.events) byConn.set(e.conn, [...(byConn.get(e.conn) ?? []), e]);
    for (const [conn, es] of byConn) {
      const parts = [];
      let run;
      for (const e of es) {
        const [dir, n] = e.what.split(' ');
        if (run && run.dir === dir) (run.last = e), (run.bytes += Number(n));
        else parts.push((run = { dir, first: e, last: e, bytes: Number(n ?? 0) }));
      }
      const show = (r) => (r.dir === 'open' ? `${at(r.first)} open` : `${at(r.first)}${r.last !== r.first ? `-${at(r.last)}` : ''} ${r.dir === 'up' ? '>' : '<'}${r.bytes}`);
      process.stdout.write(`    ${CONTEXTS[i]} conn ${conn}: ${parts.map(show).join(', ')}\n`);
    }
  }
}

export async function run(args) {
  // Several bundles (--plugin a,b): every mode for each, in the same interleaved rounds.
  const plugins = option(args, '--plugin')?.split(',') ?? [BUNDLE];
  for (const p of plugins) if (!existsSync(p)) throw new Error(`build first: npm run build (${p})`);
  const local = envOf(process.env.SANDBOX_DIR ?? join(repo, '.sandbox'));
  const remote = (option(args, '--sandboxes')?.split(',') ?? [local.SANDBOX_DIR]).map(envOf);
  const clusters = flag(args, '--clusters', 50);
  const counts = new Set([local, ...remote].map((e) => ensureClusters(e, clusters)));
  const runs = flag(args, '--runs', 7);
  const rtts = (option(args, '--rtt') ?? '40,150').split(',').filter(Boolean).map(Number);
  const mbit = flag(args, '--mbit', 0);
  const serverOf = (i) => remote[i % remote.length];

  const modes = [{ label: 'local', kubeconfig: fleetKubeconfig(CONTEXTS.map(() => local.KUBECONFIG), []), proxies: [] }];
  const kinds = (option(args, '--servers') ?? 'live,replay').split(',');
  const replays = kinds.includes('replay') ? await Promise.all(CONTEXTS.map((_, i) => startReplayServer(serverOf(i).APISERVER_URL, join(repo, 'test/fixtures/kube/tls')))) : [];
  for (const rtt of rtts) {
    for (const kind of kinds) {
      const port = (i) => (kind === 'replay' ? replays[i].port : serverOf(i).APISERVER_PORT);
      const proxies = await Promise.all(CONTEXTS.map((_, i) => startLatencyProxy(`127.0.0.1:${port(i)}`, { rttMs: rtt, mbit })));
      modes.push({
        label: `rtt${rtt}${kind === 'replay' ? ' replay' : ''}`,
        rtt,
        port,
        proxies,
        kubeconfig: fleetKubeconfig(CONTEXTS.map((_, i) => serverOf(i).KUBECONFIG), proxies.map((p) => `https://127.0.0.1:${p.port}`)),
      });
    }
  }
  if (plugins.length > 1) modes.splice(0, modes.length, ...plugins.flatMap((plugin, n) => modes.map((m) => ({ ...m, plugin, label: `${m.label} #${n + 1}` }))));
  const got = Object.fromEntries(modes.map((m) => [m.label, { single: CONTEXTS.map(() => []), fleet: [] }]));
  try {
    // One round not counted: the replay servers record their answers, caches warm up.
    for (const m of modes) await measure(m.plugin ?? plugins[0], m.kubeconfig, m.label);
    for (let i = 0; i < runs; i++) {
      // Interleaved, so a slow moment of the shared machine hits every variant alike.
      for (const m of modes) {
        const r = await measure(m.plugin ?? plugins[0], m.kubeconfig, m.label);
        r.single.forEach((ms, j) => got[m.label].single[j].push(ms));
        got[m.label].fleet.push(r.fleet);
      }
    }
    const servers = new Set(remote.map((e) => e.APISERVER_PORT)).size;
    process.stdout.write(
      `${[...counts].join('/')} clusters per API server, ${CONTEXTS.length} contexts, medians of ${runs} interleaved runs:\n` +
        `  local: all three contexts straight at one sandbox API server on this machine (the CPU floor, not a fleet)\n` +
        (rtts.length
          ? `  rtt<ms>: each context through a proxy of its own adding rtt/2 each way${mbit ? `, ${mbit} Mbit/s each way` : ''}, to ${servers === 1 ? 'the one API server (all three share it)' : `${servers} separate API servers (sandboxes ${remote.map((e) => e.SANDBOX_DIR).join(', ')})`}\n` +
            (replays.length ? `  rtt<ms> replay: the same, each proxy in front of a replay of its API server's recorded answers (no API server CPU on this machine's cores, as for remote clusters)\n` : '')
          : ''),
    );
    if (plugins.length > 1) process.stdout.write(plugins.map((p, n) => `  #${n + 1}: ${p}\n`).join(''));
    process.stdout.write(`  mode              ${CONTEXTS.map((c) => c.padStart(7)).join(' ')}  slowest  all three  ratio (goal <= 1.3x; sum)\n`);
    for (const m of modes) {
      const medians = got[m.label].single.map(median);
      const slowest = Math.max(...medians);
      const sum = medians.reduce((a, b) => a + b, 0);
      const f = median(got[m.label].fleet);
      const ms = (x) => `${Math.round(x)} ms`.padStart(7);
      process.stdout.write(`  ${m.label.padEnd(16)} ${medians.map(ms).join(' ')}  ${ms(slowest)}  ${ms(f).padStart(9)}  ${(f / slowest).toFixed(2)}x (sum ${(sum / slowest).toFixed(2)}x)\n`);
    }
    if (args.includes('--trace')) {
      for (const m of modes.filter((x) => x.proxies.length && (x.plugin ?? plugins[0]) === plugins[0])) {
        const traced = await Promise.all(m.proxies.map((_, i) => startLatencyProxy(`127.0.0.1:${m.port(i)}`, { rttMs: m.rtt, mbit, log: true })));
        await timed(plugins[0], ['--kubeconfig', fleetKubeconfig(CONTEXTS.map((_, i) => serverOf(i).KUBECONFIG), traced.map((p) => `https://127.0.0.1:${p.port}`)), 'status', '-A', '--all-contexts', '-o', 'json']);
        printTrace(m.label, traced);
        await Promise.all(traced.map((p) => p.close()));
      }
    }
  } finally {
    await Promise.all([...modes.flatMap((m) => m.proxies), ...replays].map((p) => p.close()));
  }
}
