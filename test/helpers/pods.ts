// Tests only: operator-shaped database clusters that really run (scripts/sandbox/pods: kwok pods,
// a real Patroni + PostgreSQL behind each database pod), and handles on the database runtime:
// list databases, crash a member (SIGKILL), stop or start a pod's database without touching the pod.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { dump, load } from 'js-yaml';
import type { KObject } from '../../lib/model/types.ts';
import { recordedHealthy, type PgoVersion } from './pgo-cluster.ts';
import { run } from './kubectl.ts';
import { api, applyYaml, createNamespace, kubectl, repoRoot, sandboxDir, waitFor, type RunResult } from './sandbox.ts';

export const DATA_LABEL = 'postgres-operator.crunchydata.com/data';
export const ROLE_LABEL = 'postgres-operator.crunchydata.com/role';

// ---------------------------------------------------------------------------------------------
// The database runtime's control endpoint.

export interface DatabaseInfo {
  namespace: string;
  pod: string;
  podUid: string;
  state: string;
  role: string | null;
  timeline: number | null;
  postgresPort: number;
  apiPort: number;
  dataDir: string;
  configDir: string;
  logFile: string;
  patroniPid: number | null;
  postgresPid: number | null;
  restarts: number;
  patroniRssKb: number;
  postgresRssKb: number;
  patroniPssKb: number;
  postgresPssKb: number;
}

function runtimePort(): number {
  const file = path.join(sandboxDir, 'pods', 'pods-runtime.port');
  if (!existsSync(file)) throw new Error('the database runtime is not running: `npm run sandbox -- up --pods`');
  return Number(readFileSync(file, 'utf8').trim());
}

function runtime<T>(method: string, urlPath: string, body?: unknown): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: runtimePort(), path: urlPath, method, timeout: 90_000,
      headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => {
        if ((res.statusCode ?? 0) >= 300) reject(new Error(`runtime ${method} ${urlPath}: ${res.statusCode} ${text.trim()}`));
        else resolve(JSON.parse(text) as T);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`runtime ${method} ${urlPath}: timed out`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

export interface RuntimeInfo {
  cap: number;
  databases: DatabaseInfo[];
  /** slot key (claim:<UID>) -> namespace/pod it belongs to */
  slots: Record<string, string>;
  withoutDatabase: number;
}

export function runtimeInfo(): Promise<RuntimeInfo> {
  return runtime<RuntimeInfo>('GET', '/databases');
}

/** Sets the runtime's cap on databases; returns the previous one. */
export async function setDatabaseCap(max: number): Promise<number> {
  const before = (await runtimeInfo()).cap;
  await runtime('POST', '/cap', { max });
  return before;
}

/** The runtime's log (one line per event), for what it says about pods it gives no database. */
export function runtimeLog(): string {
  return readFileSync(path.join(sandboxDir, 'logs', 'pods-runtime.log'), 'utf8');
}

/** One more instance set for a fixture cluster: a copy of the first one's StatefulSet, claim and
 *  instance ConfigMap under a new instance name, as PGO makes them when a set is added. */
export function extraInstance(fc: FixtureCluster, name: string): KObject[] {
  const first = fc.instances[0];
  const pick = (kind: string, n: string) => fc.objects.find((o) => o.kind === kind && o.metadata.name === n)!;
  const src = [pick('ConfigMap', `${first}-config`), pick('PersistentVolumeClaim', `${first}-pgdata`), pick('StatefulSet', first)];
  return src.map((o) => JSON.parse(JSON.stringify(o).split(first).join(name)) as KObject);
}

/** Throws a clear error when fewer than `n` database slots are free (the cap is shared). */
export async function requireFreeSlots(n: number): Promise<void> {
  const info = await runtimeInfo();
  const used = Object.keys(info.slots).length;
  if (used + n > info.cap) {
    throw new Error(`the database runtime has ${info.cap - used} free slot(s), ${n} needed: ` +
      `${Object.values(info.slots).join(', ')} hold them (delete those namespaces, or raise KPGO_MAX_DATABASES)`);
  }
}

export async function databases(namespace?: string): Promise<DatabaseInfo[]> {
  const r = await runtime<{ databases: DatabaseInfo[] }>('GET', '/databases');
  return r.databases.filter((d) => !namespace || d.namespace === namespace);
}

export async function database(namespace: string, pod: string): Promise<DatabaseInfo | undefined> {
  return (await databases(namespace)).find((d) => d.pod === pod);
}

/** SIGKILL to the member's Patroni, PostgreSQL and all their processes. The runtime restarts it
 *  after `restartAfterMs`, or only on startDatabase() when it is omitted. Returns the killed pids. */
export async function crashDatabase(namespace: string, pod: string, opts: { restartAfterMs?: number } = {}): Promise<number[]> {
  return (await runtime<{ killed: number[] }>('POST', `/databases/${namespace}/${pod}/crash`, opts)).killed;
}

/** Stops the pod's database cleanly (Patroni stops PostgreSQL); the pod stays. */
export async function stopDatabase(namespace: string, pod: string): Promise<void> {
  await runtime('POST', `/databases/${namespace}/${pod}/stop`, {});
}

export async function startDatabase(namespace: string, pod: string): Promise<void> {
  await runtime('POST', `/databases/${namespace}/${pod}/start`, {});
}

/** Whether a process runs (a zombie counts as gone). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// An operator-shaped cluster from the recorded objects.

const KEEP = new Set(['ServiceAccount', 'Role', 'RoleBinding', 'ConfigMap', 'Service', 'PersistentVolumeClaim', 'StatefulSet']);

export interface FixtureCluster {
  namespace: string;
  cluster: string;
  objects: KObject[];
  /** instance StatefulSet names; each runs pod `<name>-0` */
  instances: string[];
  pods: string[];
}

/**
 * The objects the real operator made for `hippo` (instance StatefulSets, their pgdata claims, the
 * cluster and instance ConfigMaps with patroni.yaml, the -ha/-ha-config/-pods Services, the
 * instance ServiceAccount and its RBAC), moved to `namespace`: without status, UIDs, owner
 * references (no PostgresCluster exists here to own them) or bindings to old volumes. Pods are
 * kept on kwok nodes with a required node affinity, which PGO allows in an instance set's spec.
 */
export function fixtureCluster(namespace: string, version: PgoVersion = 'v5.8.9', opts: { repoHost?: boolean } = {}): FixtureCluster {
  const rec = recordedHealthy(version);
  const cluster = 'hippo';
  const instanceSets = rec.filter((o) => o.kind === 'StatefulSet' && o.metadata.labels?.[DATA_LABEL] === 'postgres');
  const instances = instanceSets.map((s) => s.metadata.name);
  // With repoHost: the pgBackRest repo host too (its StatefulSet, repo1 claim, ServiceAccount).
  const data = (o: KObject) => o.metadata.labels?.[DATA_LABEL];
  const wanted = (o: KObject): boolean => {
    if (!KEEP.has(o.kind!)) return false;
    const n = o.metadata.name;
    switch (o.kind) {
      case 'StatefulSet': return instances.includes(n) || (!!opts.repoHost && data(o) === 'pgbackrest');
      case 'PersistentVolumeClaim': return data(o) === 'postgres' || (!!opts.repoHost && data(o) === 'pgbackrest');
      case 'ServiceAccount': return n === `${cluster}-instance` || (!!opts.repoHost && n === `${cluster}-repohost`);
      case 'ConfigMap': return n === `${cluster}-config` || instances.some((i) => n === `${i}-config`) || n === `${cluster}-pgbackrest-config`;
      case 'Service': return [`${cluster}-ha`, `${cluster}-ha-config`, `${cluster}-pods`].includes(n);
      default: return n === `${cluster}-instance`;
    }
  };
  // The recording was taken after bootstrap, when PGO no longer writes a `bootstrap` section into
  // the instance configuration; Patroni bootstraps only with one. This is the section PGO writes
  // for a new cluster, with the dynamic configuration the operator had set (hippo-ha-config).
  const dcs = JSON.parse(rec.find((o) => o.kind === 'Endpoints' && o.metadata.name === `${cluster}-ha-config`)?.metadata.annotations?.config ?? '{}');
  const objects = rec.filter(wanted).map((o) => {
    const c = structuredClone(o) as any;
    delete c.status;
    for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'ownerReferences', 'generation', 'managedFields', 'finalizers']) delete c.metadata[k];
    c.metadata.namespace = namespace;
    if (c.metadata.annotations) {
      for (const k of Object.keys(c.metadata.annotations)) if (k.startsWith('pv.kubernetes.io/')) delete c.metadata.annotations[k];
    }
    if (c.kind === 'PersistentVolumeClaim') delete c.spec.volumeName;
    if (c.kind === 'Service' && c.spec.clusterIP !== 'None') {
      delete c.spec.clusterIP;
      delete c.spec.clusterIPs;
    }
    if (c.kind === 'RoleBinding') for (const s of c.subjects ?? []) if (s.namespace) s.namespace = namespace;
    if (c.kind === 'ConfigMap' && c.data?.['patroni.yaml']) {
      const p = load(c.data['patroni.yaml']) as any;
      if (p?.kubernetes?.namespace) p.kubernetes.namespace = namespace;
      if (instances.some((i) => c.metadata.name === `${i}-config`)) {
        p.bootstrap = { dcs, initdb: ['data-checksums', 'encoding=UTF8', 'waldir=/pgdata/pg16_wal'], method: 'initdb' };
      }
      c.data['patroni.yaml'] = '# Generated by postgres-operator. DO NOT EDIT.\n# Your changes will not be saved.\n' + dump(p);
    }
    if (c.kind === 'ConfigMap' && c.metadata.name === `${cluster}-pgbackrest-config`) {
      // pgBackRest names the other pods by their DNS names, which carry the namespace.
      const from = `.${rec.find((o) => o.kind === 'StatefulSet')!.metadata.namespace}.svc.`;
      for (const k of Object.keys(c.data)) c.data[k] = c.data[k].split(from).join(`.${namespace}.svc.`);
    }
    if (c.kind === 'StatefulSet') {
      c.spec.template.spec.affinity = {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'type', operator: 'In', values: ['kwok'] }] }] } },
      };
    }
    return c as KObject;
  });
  return { namespace, cluster, objects, instances, pods: instances.map((i) => `${i}-0`) };
}

export async function createFixtureCluster(namespace: string, version: PgoVersion = 'v5.8.9',
  opts: { repoHost?: boolean; before?: KObject[] } = {}): Promise<FixtureCluster> {
  const fc = fixtureCluster(namespace, version, opts);
  await createNamespace(namespace);
  // `before`: objects the pods need from the start (e.g. the Secrets PGO makes), applied first.
  if (opts.before?.length) await applyYaml(opts.before, { namespace });
  const order = ['ServiceAccount', 'Role', 'RoleBinding', 'ConfigMap', 'Service', 'PersistentVolumeClaim', 'StatefulSet'];
  for (const kind of order) {
    const batch = fc.objects.filter((o) => o.kind === kind);
    if (batch.length) await applyYaml(batch, { namespace });
  }
  return fc;
}

// ---------------------------------------------------------------------------------------------
// Reading what Patroni wrote, and exec.

export async function getPod(namespace: string, name: string): Promise<KObject | undefined> {
  const r = await api<KObject>('GET', `/api/v1/namespaces/${namespace}/pods/${name}`);
  return r.status === 200 ? r.body : undefined;
}

export async function roleOf(namespace: string, pod: string): Promise<string | undefined> {
  return (await getPod(namespace, pod))?.metadata.labels?.[ROLE_LABEL];
}

export async function leaderEndpoints(namespace: string, cluster: string): Promise<KObject | undefined> {
  const r = await api<KObject>('GET', `/api/v1/namespaces/${namespace}/endpoints/${cluster}-ha`);
  return r.status === 200 ? r.body : undefined;
}

/** `kubectl exec -n NS POD -c database -- ARGS` through the apiserver and kwok. */
export function execDb(namespace: string, pod: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  const flags = opts.input !== undefined ? ['-i'] : [];
  return kubectl(['exec', ...flags, '-n', namespace, pod, '-c', 'database', '--', ...args], { input: opts.input, timeoutMs: opts.timeoutMs ?? 60_000 });
}

/** Waits until exactly one pod is labelled master and every other one replica, with running databases. */
export async function waitForLeader(fc: FixtureCluster, timeoutMs = 120_000): Promise<{ primary: string; replicas: string[] }> {
  return waitFor(`one leader among ${fc.pods.join(', ')}`, async () => {
    const roles = await Promise.all(fc.pods.map((p) => roleOf(fc.namespace, p)));
    const primaries = fc.pods.filter((_, i) => roles[i] === 'master');
    const replicas = fc.pods.filter((_, i) => roles[i] === 'replica');
    if (primaries.length !== 1 || replicas.length !== fc.pods.length - 1) return undefined;
    const dbs = await databases(fc.namespace);
    const states = await Promise.all(fc.pods.map((p) => dbs.find((d) => d.pod === p)?.role));
    if (states[fc.pods.indexOf(primaries[0])] !== 'master') return undefined;
    if (replicas.some((r) => states[fc.pods.indexOf(r)] !== 'replica')) return undefined;
    return { primary: primaries[0], replicas };
  }, { timeoutMs, intervalMs: 500 });
}

// ---------------------------------------------------------------------------------------------
// The pods hooks themselves, and the processes they own.

/** .sandbox/env as a map (lines `export NAME='value'`). */
export function sandboxEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(path.join(sandboxDir, 'env'), 'utf8').split('\n')) {
    const m = /^export ([A-Z_][A-Z0-9_]*)='(.*)'$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/** Runs scripts/sandbox/pods/<hook>.sh the way sandbox.sh does: repo root, .sandbox/env exported. */
export async function runPodsHook(hook: 'up' | 'down' | 'status', env: Record<string, string> = {}, timeoutMs = 300_000): Promise<RunResult & { ms: number }> {
  const t0 = Date.now();
  const r = await run('bash', [path.join(repoRoot, 'scripts/sandbox/pods', `${hook}.sh`)], { env: { ...process.env, ...sandboxEnv(), ...env }, timeoutMs });
  return { ...r, ms: Date.now() - t0 };
}

/** Pids named in .sandbox/run/pods-*.pid that still run. */
export function podsComponentPids(): Record<string, number> {
  const dir = path.join(sandboxDir, 'run');
  const out: Record<string, number> = {};
  for (const f of existsSync(dir) ? readdirSync(dir) : []) {
    const m = /^(pods-.+)\.pid$/.exec(f);
    if (m) out[m[1]] = Number(readFileSync(path.join(dir, f), 'utf8').trim());
  }
  return out;
}

function allPids(): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
}

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

/** Running processes of the pods tree: their command line names it, or (in a pod's own view of
 *  the filesystem, where paths are the container's) their environment carries KPGO_PODS_ROOT. */
export function podsTreeProcesses(): number[] {
  const root = realpathSync(path.join(sandboxDir, 'pods'));
  return allPids().filter((p) => p !== process.pid && processAlive(p) &&
    (readProc(p, 'cmdline').replace(/\0/g, ' ').includes(`${root}/`) || readProc(p, 'environ').split('\0').includes(`KPGO_PODS_ROOT=${root}`)));
}

/** The given pids and their running descendants. */
export function withDescendants(roots: number[]): number[] {
  const parent = new Map<number, number>();
  for (const p of allPids()) {
    const stat = readProc(p, 'stat');
    if (stat) parent.set(p, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
  }
  const out = new Set(roots.filter(processAlive));
  let grew = true;
  while (grew) {
    grew = false;
    for (const [p, pp] of parent) if (!out.has(p) && out.has(pp) && processAlive(p)) { out.add(p); grew = true; }
  }
  return [...out];
}
