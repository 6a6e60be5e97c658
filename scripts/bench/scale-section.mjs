// `npm run bench -- scale N [--runs R] [--create-only] [--via-api] [--sockets S] [--exe PATH]`: see scripts/bench/scale.mjs.
// Prints goal 2 (status -A against the curl floor and kubectl), goal 3 (--from a kubectl dump
// against the live path) and goal 5 (time to make the fleet) as ratios of one run.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { measure, sandboxEnv, writeDumps } from './scale.mjs';
import { fixtureOrSay } from './fixture.mjs';

const flag = (args, name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const out = (s) => process.stdout.write(`${s}\n`);

export async function run(args) {
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 500);
  const runs = Number(flag(args, '--runs', '3'));
  // Idempotent: clusters already complete are kept; more clusters than asked is refused.
  const made = await fixtureOrSay(sandboxEnv(), n, {
    via: args.includes('--via-api') ? 'api' : 'etcd',
    sockets: Number(flag(args, '--sockets', '8')),
    log: (m) => process.stderr.write(`[scale] ${m}\n`),
  });
  if (!made) return;
  if (made.clusters === 0) out(`fixture: ${made.skipped} clusters already there (asked for ${n}), nothing written`);
  else {
    const rate = (x) => (x / made.seconds).toFixed(0);
    out(`fixture: ${made.clusters} clusters written (${made.skipped} already there) in ${made.seconds.toFixed(1)} s (goal 5: 5,000 clusters in under 120 s)`);
    if (made.objects) out(`  through the API: ${made.objects} objects + ${made.statusWrites} status writes (${made.requests} requests), ${rate(made.requests)} requests/s`);
    if (made.etcd) {
      const e = made.etcd;
      const cpu = e.etcdCpu === undefined || e.apiserverCpu === undefined ? '' : `; CPU: etcd ${e.etcdCpu.toFixed(1)} s, the new kube-apiserver ${e.apiserverCpu.toFixed(1)} s`;
      out(
        `  through etcd: ${e.clusters} clusters, ${e.objects} objects with namespaces, service accounts and IPAddresses ` +
          `(${(e.bytes / 2 ** 20).toFixed(0)} MiB in ${e.txns} txns) in ${e.writeSeconds.toFixed(1)} s, ${(e.objects / e.writeSeconds).toFixed(0)} objects/s; ` +
          `kube-apiserver started again in ${e.startSeconds.toFixed(1)} s, its caches complete ${e.cacheSeconds.toFixed(1)} s later${cpu}`,
      );
      out(`  the API server now serves: ${Object.entries(e.counts).map(([k, c]) => `${c} ${k}`).join(', ')}`);
    }
    if (made.serverCpu !== undefined) {
      out(`  kube-apiserver + etcd CPU: ${made.serverCpu.toFixed(1)} s`);
      if (!made.etcd) {
        const perRequest = (made.serverCpu * 1000) / made.requests;
        out(`  ${perRequest.toFixed(2)} ms per request; on 2 idle cores 5,000 clusters through the API would take at least ${((perRequest * made.requests * 5000) / made.clusters / 2000).toFixed(0)} s`);
      }
    }
  }
  if (args.includes('--create-only')) return;
  const clusters = made.clusters + made.skipped;
  // Beyond 1,000 clusters: no --from dumps (goal 3 is at 500; kubectl would write GBs) and
  // kubectl one kind at a time (all at once would not fit in memory beside the sandbox).
  const big = clusters > 1000;
  const dir = mkdtempSync(join(tmpdir(), 'kpgo-scale-'));
  try {
    const dumps = big ? {} : writeDumps(dir);
    const r = measure({ runs, exe: flag(args, '--exe', undefined), dumps, byKind: big });
    const x = (a, b) => (a / b).toFixed(2);
    out(`${clusters} clusters, medians of ${runs} interleaved rounds, ${r.plugin}, load ${loadavg()[0].toFixed(1)} (1-minute average at the end)`);
    out(`  status -A -o json        ${r.pgo.ms.toFixed(0)} ms  ${r.pgo.mib.toFixed(0)} MiB  ${r.requests} API requests`);
    out(`  curl, the same LISTs     ${r.curl.ms.toFixed(0)} ms`);
    if (big) out(`  kubectl get <kind> -A -o json, one kind after the other   ${r.kubectl.ms.toFixed(0)} ms (sum)  ${r.kubectl.mib.toFixed(0)} MiB (largest; ${r.kubectl.sumMib.toFixed(0)} MiB summed)`);
    else out(`  kubectl get -A -o json   ${r.kubectl.ms.toFixed(0)} ms  ${r.kubectl.mib.toFixed(0)} MiB`);
    for (const [f, v] of Object.entries(r.from)) out(`  status --from (${f}, ${(statSync(dumps[f]).size / 1e6).toFixed(0)} MB)  ${v.ms.toFixed(0)} ms  ${v.mib.toFixed(0)} MiB`);
    out(`goal 2: ${x(r.pgo.ms, r.curl.ms)}x the curl floor's wall time (<= 1.3); ${x(r.pgo.ms, r.kubectl.ms)}x kubectl's wall time, ${x(r.pgo.mib, r.kubectl.mib)}x its peak memory (<= 0.5)${big ? ' (its largest single kind)' : ''}`);
    for (const [f, v] of Object.entries(r.from)) out(`goal 3: --from ${f}: ${x(v.ms, r.pgo.ms)}x the live path's wall time, ${x(v.mib, r.pgo.mib)}x its memory (<= 1.5)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
