// The scale fixture: N synthetic clusters (scripts/bench/synth.mjs: the recorded healthy cluster,
// renamed, ten to a namespace) in the sandbox. By default only cluster pg0000 goes through the API
// server and the others are its copies written straight into etcd (scripts/bench/fixture-etcd.mjs:
// the API server's CPU per write is the floor of the API path, about 85 minutes for 5,000 clusters
// on 2 cores). `via: 'api'` writes every cluster by concurrent requests over a few keep-alive
// connections. The API server drops `status` on create (a subresource), so every object that has
// one is POSTed bare and its status then PATCHed to /status - the objects read as the operator
// left them.
//
// Idempotent: a cluster's PostgresCluster is written last, so one that exists with a status marks
// a complete cluster, which a second run skips; anything else is written again (409 on create is
// fine, a status patch is the same patch, an etcd put replaces). A sandbox holding more clusters
// than asked is refused: status -A would read them all (namespaces cannot be deleted without a
// controller manager there).
import https from 'node:https';
import { clusterAt, synthObjects, namespacesOf } from './synth.mjs';
import { addressPool, cpuOf, templatesOf, writeThroughEtcd } from './fixture-etcd.mjs';

export const FIXTURE_LABEL = 'bench.kubectl-pgo/fixture';
const PGC_PATH = '/apis/postgres-operator.crunchydata.com/v1beta1';

const RESOURCE = {
  PostgresCluster: (ns) => `${PGC_PATH}/namespaces/${ns}/postgresclusters`,
  StatefulSet: (ns) => `/apis/apps/v1/namespaces/${ns}/statefulsets`,
  Pod: (ns) => `/api/v1/namespaces/${ns}/pods`,
  PersistentVolumeClaim: (ns) => `/api/v1/namespaces/${ns}/persistentvolumeclaims`,
  Endpoints: (ns) => `/api/v1/namespaces/${ns}/endpoints`,
  Service: (ns) => `/api/v1/namespaces/${ns}/services`,
};
// Kinds whose status the API server keeps only through the status subresource.
const STATUS_KINDS = new Set(['PostgresCluster', 'StatefulSet', 'Pod', 'PersistentVolumeClaim']);

/** Requests over `sockets` keep-alive connections; resolves to { status, body }. */
export function apiClient(env, sockets = 8) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: sockets, rejectUnauthorized: false });
  const base = new URL(env.APISERVER_URL);
  let count = 0;
  const request = (method, path, body, contentType = 'application/json') =>
    new Promise((res, rej) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const headers = { Authorization: `Bearer ${env.ADMIN_TOKEN}`, Accept: 'application/json' };
      if (data !== undefined) Object.assign(headers, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(data) });
      count++;
      const req = https.request({ host: base.hostname, port: base.port, path, method, agent, headers }, (r) => {
        const chunks = [];
        r.on('data', (c) => chunks.push(c));
        r.on('end', () => res({ status: r.statusCode, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', rej);
      req.end(data);
    });
  return { request, get count() { return count; }, close: () => agent.destroy() };
}

/** CPU seconds the sandbox's kube-apiserver and etcd have used (undefined when not readable). */
function controlPlaneCpu(env) {
  const a = cpuOf(env, 'kube-apiserver');
  const e = cpuOf(env, 'etcd');
  return a === undefined || e === undefined ? undefined : a + e;
}

async function pool(items, width, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

const ok = (what, r, accept = []) => {
  if (r.status < 300 || accept.includes(r.status)) return;
  throw new Error(`${what}: ${r.status} ${r.body.slice(0, 300)}`);
};

/** The fixture's PostgresClusters now: "ns/name" of the complete ones (status written). */
async function existing(api) {
  const complete = new Set();
  let all = 0;
  let cont = '';
  do {
    const r = await api.request('GET', `${PGC_PATH}/postgresclusters?limit=5000${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
    ok('LIST postgresclusters', r);
    const page = JSON.parse(r.body);
    for (const o of page.items) {
      all++;
      if (o.status) complete.add(`${o.metadata.namespace}/${o.metadata.name}`);
    }
    cont = page.metadata?.continue ?? '';
  } while (cont);
  return { complete, all };
}

/**
 * Writes synthetic objects through the API: namespaces, then children, PostgresClusters last.
 * `acceptIP` (optional): a Service whose allocated ClusterIP it refuses is deleted and created
 * again (an address asked for would make the Service's managedFields differ).
 */
async function writeViaApi(api, objs, width, log, t0, acceptIP = () => true) {
  const clusters = objs.filter((o) => o.kind === 'PostgresCluster');
  const children = objs.filter((o) => o.kind !== 'PostgresCluster');
  const namespaces = namespacesOf(objs);
  await pool(namespaces, width, async (ns) => {
    ok(`namespace ${ns}`, await api.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { [FIXTURE_LABEL]: 'scale' } } }), [409]);
    // No controller manager makes it: the pods' admission needs it.
    ok(`serviceaccount ${ns}/default`, await api.request('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } }), [409]);
  });
  log(`${namespaces.length} namespaces in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  let written = 0;
  let statusWrites = 0;
  const write = async (o) => {
    const base = RESOURCE[o.kind](o.metadata.namespace);
    const { status, ...bare } = o;
    for (let tries = 1; ; tries++) {
      const r = await api.request('POST', base, bare);
      ok(`create ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`, r, [409]);
      const ip = o.kind === 'Service' && r.status < 300 ? JSON.parse(r.body).spec.clusterIP : undefined;
      if (!ip || ip === 'None' || acceptIP(ip)) break;
      if (tries === 50) throw new Error(`service ${o.metadata.namespace}/${o.metadata.name}: no ClusterIP accepted in 50 tries`);
      ok(`delete service ${o.metadata.namespace}/${o.metadata.name}`, await api.request('DELETE', `${base}/${o.metadata.name}`));
    }
    if (status && STATUS_KINDS.has(o.kind)) {
      ok(`status of ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`, await api.request('PATCH', `${base}/${o.metadata.name}/status`, { status }, 'application/merge-patch+json'));
      statusWrites++;
    }
    if (++written % 10000 === 0) log(`${written}/${objs.length} objects, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  };
  // The PostgresClusters last: one with a status means all of its cluster is there.
  await pool(children, width, write);
  await pool(clusters, width, write);
  return { objects: objs.length, statusWrites };
}

/**
 * Makes (or completes) the fixture of n clusters. Returns what was written and how fast:
 * { clusters, skipped, objects, statusWrites, requests, seconds, serverCpu (s of kube-apiserver + etcd CPU),
 *   etcd (the etcd path: { clusters, objects, bytes, txns, cacheSeconds, counts }) }.
 */
export async function makeFixture(env, n, { sockets = 8, via = 'etcd', log = () => {} } = {}) {
  if (via !== 'api' && via !== 'etcd') throw new Error(`the fixture is written via api or via etcd, not ${via}`);
  const api = apiClient(env, sockets);
  const width = sockets * 2; // keeps every connection busy while a response is read
  try {
    const t0 = Date.now();
    const cpu0 = controlPlaneCpu(env);
    const { complete, all } = await existing(api);
    if (all > n) {
      throw new Error(
        `the sandbox already holds ${all} PostgresClusters, more than the ${n} asked for; status -A would read them all. ` +
          `Start from an empty sandbox (SANDBOX_DIR=${env.SANDBOX_DIR ?? '...'} npm run sandbox -- down, then up) or ask for ${all} or more`,
      );
    }
    const missing = [];
    for (let i = 0; i < n; i++) {
      const c = clusterAt(i);
      if (!complete.has(`${c.ns}/${c.name}`)) missing.push(i);
    }
    if (!missing.length) return { clusters: 0, skipped: complete.size, objects: 0, statusWrites: 0, requests: api.count, seconds: (Date.now() - t0) / 1000 };

    // Through the API: every cluster, or only the templates the etcd path copies.
    const templates = templatesOf(n);
    const isTemplate = new Set(templates.values());
    const viaApi = new Set(via === 'api' ? missing : missing.filter((i) => isTemplate.has(i)));
    const objs = viaApi.size ? synthObjects(n, { forApi: true, only: viaApi }) : [];
    // A copy's ClusterIP is as long as its template's: the templates get one of a length with room for all.
    const before = via === 'etcd' ? await addressPool(api) : undefined;
    const perCluster = objs.filter((o) => o.kind === 'Service' && o.spec.clusterIP !== 'None').length / (viaApi.size || 1);
    const acceptIP = before && ((ip) => before.count(ip.length) >= perCluster * missing.length + 100);
    const { objects, statusWrites } = objs.length ? await writeViaApi(api, objs, width, log, t0, acceptIP) : { objects: 0, statusWrites: 0 };
    const rest = missing.filter((i) => !viaApi.has(i));
    const pool = rest.length && via === 'etcd' ? await addressPool(api) : undefined;
    const etcd = rest.length ? { clusters: rest.length, ...(await writeThroughEtcd(env, api, rest, { templates, pool, log, connect: () => apiClient(env, 2) })) } : undefined;
    const cpu1 = controlPlaneCpu(env);
    // The API server's and etcd's own CPU time: what the writes cost whatever else runs on the
    // machine (the etcd path restarts the API server: it says its own).
    const serverCpu = etcd || cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0;
    return { clusters: missing.length, skipped: complete.size, objects, statusWrites, requests: api.count, seconds: (Date.now() - t0) / 1000, serverCpu, etcd };
  } finally {
    api.close();
  }
}

/** makeFixture for a benchmark section: a refusal or failure is one `error:` line and exit code 1 (undefined). */
export async function fixtureOrSay(env, n, opts) {
  try {
    return await makeFixture(env, n, opts);
  } catch (e) {
    process.stderr.write(`error: ${e.message}\n`);
    process.exitCode = 1;
    return undefined;
  }
}
