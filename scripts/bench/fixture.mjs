// The scale fixture: N synthetic clusters (scripts/bench/synth.mjs: the recorded healthy cluster,
// renamed, ten to a namespace) written into the sandbox by concurrent requests over a few
// keep-alive connections. The API server drops `status` on create (a subresource), so every object
// that has one is POSTed bare and its status then PATCHed to /status - the objects read as the
// operator left them.
//
// Idempotent: a cluster's PostgresCluster is written last, so one that exists with a status marks
// a complete cluster, which a second run skips; anything else is written again (409 on create is
// fine, a status patch is the same patch). A sandbox holding more clusters than asked is refused:
// status -A would read them all (namespaces cannot be deleted without a controller manager there).
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { synthObjects, namespacesOf } from './synth.mjs';

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
  try {
    let ticks = 0;
    for (const name of ['kube-apiserver', 'etcd']) {
      const pid = readFileSync(join(env.SANDBOX_DIR, 'run', `${name}.pid`), 'utf8').trim();
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    }
    return ticks / 100;
  } catch {
    return undefined;
  }
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
 * Makes (or completes) the fixture of n clusters. Returns what was written and how fast:
 * { clusters, skipped, objects, statusWrites, requests, seconds, serverCpu (s of kube-apiserver + etcd CPU) }.
 */
export async function makeFixture(env, n, { sockets = 8, log = () => {} } = {}) {
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
    const objs = synthObjects(n, { forApi: true }).filter((o) => {
      const cluster = o.kind === 'PostgresCluster' ? o.metadata.name : o.metadata.labels?.['postgres-operator.crunchydata.com/cluster'];
      return !complete.has(`${o.metadata.namespace}/${cluster}`);
    });
    const clusters = objs.filter((o) => o.kind === 'PostgresCluster');
    const children = objs.filter((o) => o.kind !== 'PostgresCluster');
    if (!clusters.length) return { clusters: 0, skipped: complete.size, objects: 0, statusWrites: 0, requests: api.count, seconds: (Date.now() - t0) / 1000 };

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
      ok(`create ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`, await api.request('POST', base, bare), [409]);
      if (status && STATUS_KINDS.has(o.kind)) {
        ok(`status of ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`, await api.request('PATCH', `${base}/${o.metadata.name}/status`, { status }, 'application/merge-patch+json'));
        statusWrites++;
      }
      if (++written % 10000 === 0) log(`${written}/${objs.length} objects, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    };
    // The PostgresClusters last: one with a status means all of its cluster is there.
    await pool(children, width, write);
    await pool(clusters, width, write);
    const cpu1 = controlPlaneCpu(env);
    // The API server's and etcd's own CPU time: what the writes cost whatever else runs on the machine.
    const serverCpu = cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0;
    return { clusters: clusters.length, skipped: complete.size, objects: objs.length, statusWrites, requests: api.count, seconds: (Date.now() - t0) / 1000, serverCpu };
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
