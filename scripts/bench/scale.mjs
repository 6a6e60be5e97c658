// `npm run bench -- scale N [--runs R] [--create-only]`: the fixture of N synthetic clusters (21
// objects each, the recorded cluster: scripts/bench/fixture.mjs) in the sandbox (complete clusters
// are kept: growing 500 -> 5000 only adds), then, interleaved round by round, medians of R runs of:
//   - `kubectl pgo status -A -o json` (the release executable when packaged, else the bundle),
//   - the floor: the same LISTs (selectors, pages of 5000) fetched in parallel by curl, bodies dropped,
//   - `kubectl get <the same nine kinds> -A -o json`,
// each with wall time and peak RSS, plus the API requests of one status run (apiserver metrics).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { median, repo, requestTotal, sandboxEnv } from './common.mjs';

export { sandboxEnv };
/** Wall ms and peak RSS (MiB, of the largest process) of one command run under /usr/bin/time. */
function timed(cmd, args, env) {
  const r = spawnSync('/usr/bin/time', ['-f', '@@%e %M', cmd, ...args], { env, maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'pipe'] });
  const line = r.stderr.toString().split('\n').filter((l) => l.startsWith('@@')).pop() ?? '@@NaN NaN';
  const [secs, kb] = line.slice(2).split(' ').map(Number);
  return { ms: secs * 1000, mib: kb / 1024, exit: r.status };
}

// The LISTs `status -A` issues (lib/collect/collect.ts), with its selectors and page size.
const CLUSTER = 'postgres-operator.crunchydata.com/cluster';
const CONTROL = 'postgres-operator.crunchydata.com/control-plane';
const LISTS = [
  ['/apis/postgres-operator.crunchydata.com/v1beta1/postgresclusters', ''],
  ['/apis/apps/v1/statefulsets', `labelSelector=${CLUSTER}`],
  ['/api/v1/pods', `labelSelector=${CLUSTER}`],
  ['/api/v1/persistentvolumeclaims', `labelSelector=${CLUSTER}`],
  ['/api/v1/endpoints', `labelSelector=${CLUSTER}`],
  ['/api/v1/services', `labelSelector=${CLUSTER}`],
  ['/apis/apps/v1/deployments', `labelSelector=${CLUSTER}`],
  ['/apis/batch/v1/jobs', `labelSelector=${CLUSTER}`],
  ['/api/v1/events', 'fieldSelector=involvedObject.kind%3DPostgresCluster'],
  ['/apis/apps/v1/deployments', `labelSelector=${CONTROL}`],
  ['/api/v1/pods', `labelSelector=${CONTROL}`],
];

/**
 * The floor: every LIST at once by curl, following continue tokens, bodies thrown away. With a
 * User-Agent of its own: the apiserver indents JSON for a User-Agent starting with "curl" (2x the
 * bytes, ~3x its CPU at 500 clusters), which made a floor slower than the responses status reads.
 */
function curlScript(env) {
  const one = (path, q) =>
    `( c=; while :; do m=$(curl -sk -A kubectl-pgo-bench -H "Authorization: Bearer ${env.ADMIN_TOKEN}" "${env.APISERVER_URL}${path}?limit=5000${q ? `&${q}` : ''}\${c:+&continue=$c}" | { head -c 600; cat >/dev/null; }); ` +
    `c=$(printf '%s' "$m" | grep -o '"continue":"[^"]*"' | head -1 | cut -d'"' -f4); [ -n "$c" ] || break; done ) &`;
  return `${LISTS.map(([p, q]) => one(p, q)).join(' ')} wait`;
}

const KINDS = 'postgresclusters,statefulsets,pods,persistentvolumeclaims,endpoints,services,events,deployments,jobs';

/** The fleet as kubectl writes it (the dump the README tells users to make), YAML and JSON. */
export function writeDumps(dir) {
  const env = sandboxEnv();
  const kubectl = join(env.KUBE_BIN_DIR, 'kubectl');
  const out = {};
  for (const format of ['yaml', 'json']) {
    const file = join(dir, `fleet.${format}`);
    const r = spawnSync('bash', ['-c', `"${kubectl}" --kubeconfig "${env.KUBECONFIG}" get ${KINDS} -A -o ${format} > "${file}"`]);
    if (r.status !== 0) throw new Error(`kubectl get -o ${format} failed: ${r.stderr}`);
    out[format] = file;
  }
  return out;
}

/** kubectl one kind at a time: the sum of the wall times, the largest and the sum of the peaks. */
function kubectlByKind(kubectl, env) {
  const each = KINDS.split(',').map((kind) => timed(kubectl, ['get', kind, '-A', '-o', 'json'], env));
  return { ms: each.reduce((s, r) => s + r.ms, 0), mib: Math.max(...each.map((r) => r.mib)), sumMib: each.reduce((s, r) => s + r.mib, 0), exit: 0 };
}

/**
 * Figures at the current fleet size; `dumps` (optional): files for `status --from`, timed in the
 * same rounds. `byKind`: kubectl gets one kind at a time and only in the measured rounds - a
 * single `kubectl get` of every kind holds them all at once (at 5,000 clusters its pods alone
 * peak at 7.5 GiB), more than the machine can spare beside the sandbox.
 */
export function measure({ runs = 3, exe, dumps = {}, byKind = false } = {}) {
  const env = sandboxEnv();
  const kubectl = join(env.KUBE_BIN_DIR, 'kubectl');
  const plugin = exe ?? [join(repo, 'dist/release/linux-amd64/kubectl-pgo'), join(repo, 'dist/kubectl-pgo')].find((f) => existsSync(f));
  const penv = { ...process.env, KUBECONFIG: env.KUBECONFIG };
  const cases = {
    pgo: () => timed(plugin, ['status', '-A', '-o', 'json'], penv),
    curl: () => timed('bash', ['-c', curlScript(env)], penv),
    kubectl: byKind ? () => kubectlByKind(kubectl, penv) : () => timed(kubectl, ['get', KINDS, '-A', '-o', 'json'], penv),
  };
  for (const [format, file] of Object.entries(dumps)) cases[`from-${format}`] = () => timed(plugin, ['status', '--from', file, '-A', '-o', 'json'], penv);
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let round = -1; round < runs; round++) {
    for (const [k, fn] of Object.entries(cases)) {
      if (round < 0 && byKind && k === 'kubectl') continue;
      const r = fn();
      if ((k === 'pgo' || k.startsWith('from-')) && r.exit !== 0 && r.exit !== 2) throw new Error(`${k}: status exited ${r.exit}`);
      if (round >= 0) samples[k].push(r);
    }
  }
  const before = requestTotal(kubectl, env.KUBECONFIG);
  cases.pgo();
  const requests = requestTotal(kubectl, env.KUBECONFIG) - before - 1; // the first /metrics GET is counted too
  const m = (k, f) => median(samples[k].map((s) => s[f]));
  return {
    plugin,
    runs,
    requests,
    pgo: { ms: m('pgo', 'ms'), mib: m('pgo', 'mib') },
    curl: { ms: m('curl', 'ms') },
    kubectl: { ms: m('kubectl', 'ms'), mib: m('kubectl', 'mib'), sumMib: byKind ? m('kubectl', 'sumMib') : undefined },
    from: Object.fromEntries(Object.keys(dumps).map((f) => [f, { ms: m(`from-${f}`, 'ms'), mib: m(`from-${f}`, 'mib') }])),
  };
}

export function countClusters() {
  const env = sandboxEnv();
  const r = spawnSync(join(env.KUBE_BIN_DIR, 'kubectl'), ['--kubeconfig', env.KUBECONFIG, 'get', '--raw', '/apis/postgres-operator.crunchydata.com/v1beta1/postgresclusters?limit=1'], { maxBuffer: 1 << 20 });
  const meta = JSON.parse(r.stdout.toString() || '{}').metadata ?? {};
  return (meta.remainingItemCount ?? 0) + (JSON.parse(r.stdout.toString() || '{}').items?.length ?? 0);
}
