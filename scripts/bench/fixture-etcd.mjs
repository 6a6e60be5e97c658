// The scale fixture written straight into the sandbox's etcd: the API server costs ~7.6 ms of CPU
// per write on these 2 cores (20-30 requests/s), which makes 5,000 clusters (105,000 objects and
// 50,000 status writes) an hour's work; etcd takes the same bytes in seconds.
//
// The objects are those the API path makes, byte for byte: a template cluster is written through
// the API (scripts/bench/fixture.mjs), its stored values are read back from etcd - protobuf for the
// built-in kinds, JSON for the PostgresCluster, with the defaults, admission's additions (tolerations,
// the service-account token volume), managedFields and status the API server gave them - and copied
// for every other cluster under the API server's key layout (/registry/<resource>/<ns>/<name>) with
// the cluster's name and namespace, a fresh uid and a free ClusterIP (with its IPAddress) put in
// place of the template's. Copying the stored bytes (rather than writing JSON, which the API server
// also reads) halves the API server's CPU to take each object into its watch cache (pods: 2.6 ms
// decoding JSON, 1.2 ms protobuf), and that is most of the fixture's time. In protobuf a string
// cannot change length without re-encoding its parents, so every substitute has the length of what
// it replaces: clusters are copied from a template whose name and namespace are as long as theirs
// (pg0000 in bench-0, pg0100 in bench-10, pg1000 in bench-100...), and the templates' Services are
// given ClusterIPs of the longest form so that a copy's address can be as long. Creation times are
// the template's (seconds earlier, same run).
//
// The API server is stopped while etcd is written and started again on the full store (see
// writeThroughEtcd for why); the fixture is done when each of its caches has reached the last
// revision that wrote its kind.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repo } from './common.mjs';
import { etcdClient, MAX_TXN_OPS } from './etcd.mjs';
import { clusterAt } from './synth.mjs';

const CLUSTER_LABEL = 'postgres-operator.crunchydata.com/cluster';
// Kinds of a cluster: where the API lists them and where the API server keeps them in etcd.
const KINDS = [
  ['PostgresCluster', '/apis/postgres-operator.crunchydata.com/v1beta1', 'postgresclusters', 'postgres-operator.crunchydata.com/postgresclusters'],
  ['StatefulSet', '/apis/apps/v1', 'statefulsets', 'statefulsets'],
  ['Pod', '/api/v1', 'pods', 'pods'],
  ['PersistentVolumeClaim', '/api/v1', 'persistentvolumeclaims', 'persistentvolumeclaims'],
  ['Endpoints', '/api/v1', 'endpoints', 'services/endpoints'],
  ['Service', '/api/v1', 'services', 'services/specs'],
];
// Everything the fixture writes, for the wait and the counts at the end.
const LISTS = [
  ...KINDS.map(([kind, group, plural]) => [kind, `${group}/${plural}`]),
  ['Namespace', '/api/v1/namespaces'],
  ['ServiceAccount', '/api/v1/serviceaccounts'],
  ['IPAddress', '/apis/networking.k8s.io/v1/ipaddresses'],
];
// A txn's size stays under etcd's default --max-request-bytes (1.5 MiB) whatever the sandbox sets.
const TXN_BYTES = 1 << 20;

/** Clusters copied from the same template have names and namespaces of the same length. */
export const templateClass = (i) => {
  const { name, ns } = clusterAt(i);
  return `${name.length}/${ns.length}`;
};

/** For n clusters: the index of each length class's template (its first cluster). */
export function templatesOf(n) {
  const first = new Map();
  for (let i = 0; i < n; i++) if (!first.has(templateClass(i))) first.set(templateClass(i), i);
  return first;
}

const ok = (what, r) => {
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.body.slice(0, 300)}`);
  return JSON.parse(r.body);
};

const ipToString = (n) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** Free addresses of the service CIDR by their length as text: count(len) of them, take(len) one. */
export async function addressPool(api) {
  const cidr = ok('GET servicecidr', await api.request('GET', '/apis/networking.k8s.io/v1/servicecidrs/kubernetes')).spec.cidrs.find((c) => c.includes('.'));
  const used = new Set(ok('LIST ipaddresses', await api.request('GET', '/apis/networking.k8s.io/v1/ipaddresses')).items.map((o) => o.metadata.name));
  const [base, bits] = cidr.split('/');
  const start = base.split('.').reduce((a, x) => a * 256 + Number(x), 0);
  const size = 2 ** (32 - Number(bits));
  const byLength = new Map();
  // Clear of the low band the API server keeps for addresses asked for by name; not the broadcast.
  for (let k = Math.min(256, size >> 4); k < size - 1; k++) {
    const ip = ipToString(start + k);
    if (used.has(ip)) continue;
    if (!byLength.has(ip.length)) byLength.set(ip.length, []);
    byLength.get(ip.length).push(ip);
  }
  for (const list of byLength.values()) list.reverse(); // pop() gives the lowest first
  return {
    count: (len) => byLength.get(len)?.length ?? 0,
    take(len) {
      const ip = byLength.get(len)?.pop();
      if (!ip) throw new Error(`the service CIDR ${cidr} has no free address ${len} characters long left`);
      return ip;
    },
  };
}

/**
 * A stored value with the places of the template's strings (cluster name, namespace, uid,
 * ClusterIP) found once; render() copies it and writes a clone's strings over them.
 */
function compile(key, value, kind, strings) {
  const at = [];
  for (const [token, s] of Object.entries(strings)) {
    if (!s) continue;
    const needle = Buffer.from(s);
    for (let i = value.indexOf(needle); i >= 0; i = value.indexOf(needle, i + needle.length)) at.push([i, token]);
  }
  return {
    kind,
    render(vars) {
      for (const [token, s] of Object.entries(strings)) if (s && vars[token].length !== s.length) throw new Error(`${kind} ${key}: ${vars[token]} cannot stand for ${s} (not as long)`);
      const out = Buffer.from(value);
      for (const [i, token] of at) out.write(vars[token], i, 'latin1');
      let k = key;
      for (const [token, s] of Object.entries(strings)) if (s) k = k.replaceAll(s, vars[token]);
      return [k, out, kind];
    },
  };
}

/** Template cluster `i` as the API server stored it: namespace, its ServiceAccount, the objects, the IPAddresses of its Services. */
async function readTemplate(api, etcd, i) {
  const { name, ns } = clusterAt(i);
  const stored = async (key, kind, uid, ip) => {
    const value = await etcd.get(key);
    if (!value) throw new Error(`the template ${kind} ${key} is not in etcd`);
    return compile(key, value, kind, { name, ns, uid, ip });
  };
  const nsObj = ok('GET namespace', await api.request('GET', `/api/v1/namespaces/${ns}`));
  const sa = ok('GET serviceaccount', await api.request('GET', `/api/v1/namespaces/${ns}/serviceaccounts/default`));
  const t = {
    namespace: [await stored(`/registry/namespaces/${ns}`, 'Namespace', nsObj.metadata.uid), await stored(`/registry/serviceaccounts/${ns}/default`, 'ServiceAccount', sa.metadata.uid)],
    children: [],
    cluster: [],
  };
  const sel = `labelSelector=${encodeURIComponent(`${CLUSTER_LABEL}=${name}`)}`;
  for (const [kind, group, plural, store] of KINDS) {
    const path = kind === 'PostgresCluster' ? `${group}/namespaces/${ns}/${plural}/${name}` : `${group}/namespaces/${ns}/${plural}?${sel}`;
    const got = ok(`GET ${plural}`, await api.request('GET', path));
    for (const o of got.items ?? [got]) {
      const ip = kind === 'Service' && o.spec.clusterIP !== 'None' ? o.spec.clusterIP : undefined;
      const key = `/registry/${store}/${ns}/${o.metadata.name}`;
      (kind === 'PostgresCluster' ? t.cluster : t.children).push(await stored(key, kind, o.metadata.uid, ip));
      if (ip) {
        const addr = ok('GET ipaddress', await api.request('GET', `/apis/networking.k8s.io/v1/ipaddresses/${ip}`));
        t.children.push(await stored(`/registry/ipaddresses/${ip}`, 'IPAddress', addr.metadata.uid, ip));
        // The copy's Service and IPAddress take the same new address: the IPAddress follows its Service.
        t.children.at(-2).ipLength = ip.length;
      }
    }
  }
  if (t.children.length + t.cluster.length < 2) throw new Error(`template cluster ${ns}/${name} has no objects`);
  return t;
}

/** Transactions of at most MAX_TXN_OPS puts and TXN_BYTES, drawn from a generator of [key, value, kind]. */
function* batches(kvs) {
  let batch = [];
  let bytes = 0;
  for (const kv of kvs) {
    if (batch.length && (batch.length === MAX_TXN_OPS || bytes + kv[1].length > TXN_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(kv);
    bytes += kv[1].length;
  }
  if (batch.length) yield batch;
}

/** CPU seconds of the sandbox process `name` (by its pid file), or undefined. */
export function cpuOf(env, name) {
  try {
    const pid = readFileSync(join(env.SANDBOX_DIR, 'run', `${name}.pid`), 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Stops the sandbox's kube-apiserver (SIGTERM to its pid file's process, checked to be one) and waits for it to end. */
async function stopApiserver(env) {
  const pid = Number(readFileSync(join(env.SANDBOX_DIR, 'run', 'kube-apiserver.pid'), 'utf8').trim());
  if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kube-apiserver')) throw new Error(`pid ${pid} of ${env.SANDBOX_DIR}/run/kube-apiserver.pid is not a kube-apiserver`);
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 300; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`kube-apiserver (pid ${pid}) still runs 30 s after SIGTERM`);
}

/** Starts it again through the sandbox script (same flags, ports and token), ready when this returns. */
function startApiserver(env) {
  const r = spawnSync('bash', [join(repo, 'scripts/sandbox/sandbox.sh'), 'restart-apiserver'], { env: { ...process.env, SANDBOX_DIR: env.SANDBOX_DIR }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kube-apiserver did not start again: ${r.stderr.trim().split('\n').pop()}`);
}

/**
 * Writes clusters (indices; their templates, `templates` class -> index, are complete already)
 * and the namespaces they need into etcd while the sandbox's kube-apiserver is stopped, starts
 * it again and waits until it serves them. Stopped, because the API server's own controllers
 * would race a stream of new objects: the ClusterIP repair loop, seeing an IPAddress before its
 * Service (separate informers, which fall behind and are restarted under a burst of events),
 * deletes it as leaked after 60 s and files Events; started on a full etcd, every cache and
 * informer lists a consistent store. `connect()` gives a new API client (the old connections end
 * with the server). Returns { objects, bytes, txns, writeSeconds, startSeconds, cacheSeconds, counts,
 * etcdCpu, apiserverCpu (of the new process, start included) }.
 */
export async function writeThroughEtcd(env, api, indices, { templates, pool, connect, width = 4, log = () => {} }) {
  const etcd = etcdClient(`http://127.0.0.1:${env.ETCD_CLIENT_PORT}`);
  let objects = 0;
  let bytes = 0;
  let txns = 0;
  const revisions = {}; // kind -> the last etcd revision that wrote one
  const etcdCpu0 = cpuOf(env, 'etcd');
  let t0;
  try {
    const byClass = new Map();
    for (const [cls, i] of templates) if (indices.some((j) => templateClass(j) === cls)) byClass.set(cls, await readTemplate(api, etcd, i));
    const haveNs = new Set(ok('LIST namespaces', await api.request('GET', '/api/v1/namespaces')).items.map((o) => o.metadata.name));
    const clusters = indices.map((i) => ({ ...clusterAt(i), t: byClass.get(templateClass(i)) }));
    const vars = (c, uid = randomUUID(), ip) => ({ name: c.name, ns: c.ns, uid, ip });
    // Namespaces first, PostgresClusters last (a PostgresCluster marks a complete cluster).
    function* namespaces() {
      const seen = new Set(haveNs);
      for (const c of clusters) {
        if (seen.has(c.ns)) continue;
        seen.add(c.ns);
        for (const o of c.t.namespace) yield o.render(vars(c));
      }
    }
    function* children() {
      for (const c of clusters) {
        let ip;
        for (const o of c.t.children) {
          if (o.ipLength) ip = pool.take(o.ipLength);
          yield o.render(vars(c, randomUUID(), ip));
        }
      }
    }
    function* postgresClusters() {
      for (const c of clusters) for (const o of c.t.cluster) yield o.render(vars(c));
    }
    await stopApiserver(env);
    t0 = Date.now();
    log('kube-apiserver stopped');
    for (const phase of [namespaces, children, postgresClusters]) {
      const source = batches(phase());
      await Promise.all(
        Array.from({ length: width }, async () => {
          for (let b = source.next(); !b.done; b = source.next()) {
            objects += b.value.length;
            bytes += b.value.reduce((s, [, v]) => s + v.length, 0);
            txns++;
            const rev = await etcd.put(b.value);
            for (const [, , kind] of b.value) if (!(revisions[kind] >= rev)) revisions[kind] = rev;
            if (txns % 200 === 0) log(`${objects} objects into etcd, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
          }
        }),
      );
    }
  } finally {
    etcd.close();
  }
  const writeSeconds = (Date.now() - t0) / 1000;
  log(`${objects} objects (${(bytes / 2 ** 20).toFixed(0)} MiB) into etcd in ${txns} txns, ${writeSeconds.toFixed(1)} s; starting kube-apiserver`);
  const t1 = Date.now();
  startApiserver(env);
  const startSeconds = (Date.now() - t1) / 1000;
  const fresh = connect();
  try {
    const counts = await caughtUp(fresh, revisions, log);
    const etcdCpu1 = cpuOf(env, 'etcd');
    return {
      objects,
      bytes,
      txns,
      writeSeconds,
      startSeconds,
      cacheSeconds: (Date.now() - t1) / 1000 - startSeconds,
      counts,
      etcdCpu: etcdCpu0 === undefined || etcdCpu1 === undefined ? undefined : etcdCpu1 - etcdCpu0,
      apiserverCpu: cpuOf(env, 'kube-apiserver'),
    };
  } finally {
    fresh.close();
  }
}

/**
 * Waits until the API server's watch cache of every kind written has reached the last revision
 * that wrote one of that kind (a LIST at that version, NotOlderThan, is served from the cache only
 * once it has; a kind's own events take it there), then counts them.
 */
async function caughtUp(api, revisions, log) {
  const counts = {};
  const t0 = Date.now();
  await Promise.all(
    LISTS.map(async ([kind, path]) => {
      const deadline = Date.now() + 300_000;
      const revision = revisions[kind];
      while (revision) {
        // A selector nothing matches: the answer is empty, the wait is the point.
        const r = await api.request('GET', `${path}?resourceVersion=${revision}&resourceVersionMatch=NotOlderThan&labelSelector=bench.kubectl-pgo%2Fnone`);
        if (r.status === 200) break;
        // Too large a version (the cache is behind), or a kind not served yet just after the start.
        if (![404, 429, 500, 503, 504].includes(r.status)) ok(`LIST ${kind} at ${revision}`, r);
        if (Date.now() > deadline) throw new Error(`the API server's ${kind} cache did not reach etcd revision ${revision} in 5 minutes`);
        await new Promise((res) => setTimeout(res, 100));
      }
      const page = ok(`LIST ${kind}`, await api.request('GET', `${path}?limit=1`));
      counts[kind] = page.items.length + (page.metadata.remainingItemCount ?? 0);
      log(`${kind}: ${counts[kind]} served, cache at revision ${revision ?? '-'} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }),
  );
  return counts;
}
