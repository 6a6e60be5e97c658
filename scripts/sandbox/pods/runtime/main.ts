// The sandbox's database runtime: for every Running database pod on a kwok node it runs the
// pod's own container command (`patroni /etc/patroni`) as a local process, as the postgres user,
// with the pod's environment and the operator's configuration files; see ../README.md for what is
// real and what is overridden. Also keeps a kwok Exec object per database pod so `kubectl exec`
// reaches that pod's Patroni and PostgreSQL.
//   env: PODS_ROOT SANDBOX_DIR APISERVER_URL ADMIN_TOKEN KWOK_PATH [KPGO_MAX_DATABASES=8]
//   flags: --max-databases N
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { dump, load } from 'js-yaml';
import { Kube, KObj, logLine } from './kube.ts';
import { requireEnv, serveControl } from './control.ts';
import { Database } from './database.ts';
import { syncPodStatus } from './pod-status.ts';
import {
  LOCAL_CONFIG_FILE, Mount, PG_BIN, Ports, containerEnv, databaseContainer, deepMerge, localEnv, localOverrides, rewritePaths,
} from './pod-config.ts';
import { alive, cmdline, postmasterPid, signal, waitGone, withDescendants } from './procs.ts';

const DATA_LABEL = 'postgres-operator.crunchydata.com/data';
const KUBE_CONTEXT = 'kpgo-sandbox';
const PROBE_MS = 2000; // the pods' readiness probes say 10 s; the sandbox checks faster
const root = requireEnv('PODS_ROOT');
const sandboxDir = requireEnv('SANDBOX_DIR');
const kwokPath = process.env.KWOK_PATH ?? `${root}/bin:${PG_BIN}:/usr/bin:/bin`;
const logDir = path.join(sandboxDir, 'logs', 'pods-db');
const capArg = process.argv.indexOf('--max-databases');
let cap = Number(capArg > 0 ? process.argv[capArg + 1] : process.env.KPGO_MAX_DATABASES ?? 8);
const kube = Kube.fromEnv();
const log = (m: string) => logLine('runtime', m);

const user = (() => {
  if (process.getuid?.() !== 0) return undefined; // not root: run as ourselves
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
})();
const chown = (p: string) => { if (user) fs.chownSync(p, user.uid, user.gid); };

const dbs = new Map<string, Database>();    // by pod UID
const preparing = new Map<string, string>(); // pod UID -> slot, while being set up
const stopping = new Map<string, Promise<void>>(); // pod UID -> stop in progress
const overCapLogged = new Set<string>();
// Database slots (at most `cap`) belong to a member, keyed by its pgdata claim's UID: a pod
// recreated on the same claim gets its slot back instead of losing it to a pod over the cap, and
// after a runtime restart the same members get databases again. A slot is released when its
// claim is gone or no pod has used it for SLOT_IDLE_MS. Kept in $PODS_ROOT/slots.json.
const SLOT_IDLE_MS = 120_000;
const slotsFile = path.join(root, 'slots.json');
const slots = new Map<string, { member: string; seen: number }>(); // key -> last time a pod used it
function loadSlots(): void {
  try {
    for (const [k, member] of Object.entries(JSON.parse(fs.readFileSync(slotsFile, 'utf8')) as Record<string, string>)) {
      slots.set(k, { member, seen: Date.now() });
    }
  } catch {
    /* none yet */
  }
}
function saveSlots(): void {
  fs.writeFileSync(slotsFile, JSON.stringify(Object.fromEntries([...slots].map(([k, v]) => [k, v.member])), null, 1));
}
const failures = new Map<string, string>();  // pod UID -> last setup error (logged once)
const usedPorts = new Set<number>();
let shuttingDown = false;

// ---------- ports ----------
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A postgres/REST API port pair on loopback, away from 5432, 8008 and the ephemeral range. */
async function allocatePorts(): Promise<Ports> {
  for (let k = 0; k < 1000; k++) {
    const pg = 25432 + 2 * k;
    const api = pg + 1;
    if (usedPorts.has(pg) || usedPorts.has(api)) continue;
    if ((await portFree(pg)) && (await portFree(api))) {
      usedPorts.add(pg);
      usedPorts.add(api);
      return { postgres: pg, api };
    }
  }
  throw new Error('no free port pair in 25432-27431');
}

// ---------- volumes ----------
async function claimDir(namespace: string, claim: string): Promise<string> {
  const pvc = await kube.get(`/api/v1/namespaces/${namespace}/persistentvolumeclaims/${claim}`);
  if (!pvc) throw new Error(`PersistentVolumeClaim ${claim} not found`);
  if (pvc.status?.phase !== 'Bound') throw new Error(`PersistentVolumeClaim ${claim} is ${pvc.status?.phase ?? 'not bound'}`);
  const pv = await kube.get(`/api/v1/persistentvolumes/${pvc.spec.volumeName}`);
  // Keyed by the claim's UID: a pod recreated on the same claim finds its data.
  const dir = pv?.spec?.hostPath?.path ?? path.join(root, 'volumes', pvc.metadata.uid!);
  fs.mkdirSync(dir, { recursive: true, mode: 0o750 });
  chown(dir);
  return dir;
}

type Fetched = { configMap: Map<string, KObj | null>; secret: Map<string, KObj | null> };

async function source(f: Fetched, ns: string, kind: 'configMap' | 'secret', name: string): Promise<KObj | undefined> {
  const cache = f[kind];
  if (!cache.has(name)) {
    const p = kind === 'configMap' ? 'configmaps' : 'secrets';
    cache.set(name, (await kube.get(`/api/v1/namespaces/${ns}/${p}/${name}`)) ?? null);
  }
  return cache.get(name) ?? undefined;
}

function keyValue(obj: KObj | undefined, kind: 'configMap' | 'secret', key: string): Buffer | undefined {
  if (!obj) return undefined;
  if (kind === 'secret') return obj.data?.[key] !== undefined ? Buffer.from(obj.data[key], 'base64') : undefined;
  if (obj.data?.[key] !== undefined) return Buffer.from(obj.data[key], 'utf8');
  return obj.binaryData?.[key] !== undefined ? Buffer.from(obj.binaryData[key], 'base64') : undefined;
}

/** Writes a configMap/secret/projected/downwardAPI volume's files, as the kubelet would. */
async function materialize(pod: KObj, vol: any, dir: string, f: Fetched): Promise<void> {
  const ns = pod.metadata.namespace!;
  const write = (rel: string, data: Buffer) => {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data, { mode: 0o600 });
    chown(file);
    chown(path.dirname(file));
  };
  const fromObj = async (kind: 'configMap' | 'secret', src: any) => {
    const name = kind === 'configMap' ? src.name : src.secretName ?? src.name;
    const obj = await source(f, ns, kind, name);
    if (!obj) {
      // The kubelet would keep the container waiting; here every file such a volume brings is
      // overridden (TLS) or unused (pgBackRest), so the database starts and the log says so.
      if (!src.optional) log(`${pod.metadata.namespace}/${pod.metadata.name}: ${kind} ${name} not found; volume ${vol.name} lacks its files`);
      return;
    }
    const items: { key: string; path: string }[] = src.items ??
      Object.keys({ ...(obj.data ?? {}), ...(obj.binaryData ?? {}) }).map((k) => ({ key: k, path: k }));
    for (const it of items) {
      const v = keyValue(obj, kind, it.key);
      if (v !== undefined) write(it.path, v);
    }
  };
  const downward = (items: any[]) => {
    for (const it of items ?? []) {
      if (!it.fieldRef) continue;
      const fp: string = it.fieldRef.fieldPath;
      const map = fp === 'metadata.labels' ? pod.metadata.labels : fp === 'metadata.annotations' ? pod.metadata.annotations : undefined;
      const text = map ? Object.entries(map).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') : fp === 'metadata.name' ? pod.metadata.name : '';
      write(it.path, Buffer.from(text));
    }
  };
  if (vol.configMap) await fromObj('configMap', vol.configMap);
  if (vol.secret) await fromObj('secret', vol.secret);
  if (vol.downwardAPI) downward(vol.downwardAPI.items);
  for (const s of vol.projected?.sources ?? []) {
    if (s.configMap) await fromObj('configMap', s.configMap);
    if (s.secret) await fromObj('secret', s.secret);
    if (s.downwardAPI) downward(s.downwardAPI.items);
  }
}

// ---------- Patroni's kubeconfig: a token of the pod's own ServiceAccount ----------
async function podKubeconfig(pod: KObj, file: string): Promise<void> {
  const ns = pod.metadata.namespace!;
  const sa = pod.spec?.serviceAccountName ?? 'default';
  const tr = await kube.create<any>(`/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 86400, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid } },
  });
  const cfg = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'sandbox', cluster: { server: kube.server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: `system:serviceaccount:${ns}:${sa}`, user: { token: tr.status.token } }],
    contexts: [{ name: KUBE_CONTEXT, context: { cluster: 'sandbox', user: `system:serviceaccount:${ns}:${sa}`, namespace: ns } }],
    'current-context': KUBE_CONTEXT,
  };
  fs.writeFileSync(file, dump(cfg), { mode: 0o600 });
  chown(file);
}

// ---------- kwok Exec object ----------
async function ensureExec(pod: KObj, env: Record<string, string>, workDir: string): Promise<void> {
  const ns = pod.metadata.namespace!;
  const body = {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Exec',
    metadata: {
      name: pod.metadata.name,
      namespace: ns,
      labels: { 'sandbox.kubectl-pgo/runtime': 'pods' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid }],
    },
    spec: {
      execs: [{
        local: {
          workDir,
          envs: Object.entries(env).map(([name, value]) => ({ name, value })),
          ...(user ? { securityContext: { runAsUser: user.uid, runAsGroup: user.gid } } : {}),
        },
      }],
    },
  };
  const base = `/apis/kwok.x-k8s.io/v1alpha1/namespaces/${ns}/execs`;
  const cur = await kube.get(`${base}/${pod.metadata.name}`);
  if (cur) await kube.request('PUT', `${base}/${pod.metadata.name}`, { ...body, metadata: { ...body.metadata, resourceVersion: cur.metadata.resourceVersion } });
  else await kube.create(base, body);
}

// ---------- one pod ----------
function loadConfigPath(p: string): any {
  const files = fs.statSync(p).isDirectory()
    ? fs.readdirSync(p).filter((f) => /\.ya?ml$/.test(f) && f !== LOCAL_CONFIG_FILE).sort().map((f) => path.join(p, f))
    : [p];
  return files.reduce((acc, f) => deepMerge(acc, load(fs.readFileSync(f, 'utf8')) ?? {}), {});
}

async function prepare(pod: KObj): Promise<Database> {
  const ns = pod.metadata.namespace!;
  const uid = pod.metadata.uid!;
  const container = databaseContainer(pod);
  if (!container) throw new Error('no database container (named "database" or running patroni)');
  const podDir = path.join(root, 'p', uid.slice(0, 8));
  fs.rmSync(podDir, { recursive: true, force: true });
  fs.mkdirSync(podDir, { recursive: true, mode: 0o755 });

  const f: Fetched = { configMap: new Map(), secret: new Map() };
  const mounts: Mount[] = [];
  const volumeDirs: string[] = [];
  const volumes = new Map<string, any>((pod.spec?.volumes ?? []).map((v: any) => [v.name, v]));
  for (const vm of container.volumeMounts ?? []) {
    const vol = volumes.get(vm.name);
    if (!vol) continue;
    let dir: string;
    if (vol.persistentVolumeClaim) {
      dir = await claimDir(ns, vol.persistentVolumeClaim.claimName);
      volumeDirs.push(dir);
    } else {
      dir = path.join(podDir, 'v', vm.name);
      if (!fs.existsSync(dir)) {
        fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
        if (vol.emptyDir) fs.chmodSync(dir, 0o1777);
        else await materialize(pod, vol, dir, f);
        chown(dir);
      }
    }
    mounts.push({ mountPath: vm.mountPath, local: vm.subPath ? path.join(dir, vm.subPath) : dir });
  }

  const ports = await allocatePorts();
  const containerPort = (container.ports ?? []).find((p: any) => p.name === 'postgres')?.containerPort ?? 5432;
  const lookup = (kind: 'configMap' | 'secret', name: string, key: string) =>
    keyValue(f[kind].get(name) ?? undefined, kind, key)?.toString('utf8');
  for (const e of container.env ?? []) {
    const r = e.valueFrom?.configMapKeyRef ?? e.valueFrom?.secretKeyRef;
    if (r) await source(f, ns, e.valueFrom.configMapKeyRef ? 'configMap' : 'secret', r.name);
  }
  const env = localEnv(containerEnv(pod, container, lookup), mounts, ports, containerPort);

  // The command, with its config path made local; Patroni reads every *.yaml of a directory.
  const command: string[] = [...(container.command ?? []), ...(container.args ?? [])].map((a: string) => rewritePaths(a, mounts));
  let configArg = command.findIndex((a, i) => i > 0 && fs.existsSync(a));
  if (configArg < 0) throw new Error(`no configuration path in the container command: ${command.join(' ')}`);
  let configDir = command[configArg];
  if (!fs.statSync(configDir).isDirectory()) {
    const dir = path.join(podDir, 'patroni');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(configDir, path.join(dir, '00-operator.yaml'));
    if (env.PATRONICTL_CONFIG_FILE === configDir) env.PATRONICTL_CONFIG_FILE = dir;
    configDir = command[configArg] = dir;
  }
  const operatorConfig = loadConfigPath(configDir);
  if (!operatorConfig.scope) throw new Error(`no Patroni scope in ${configDir} (operator configuration incomplete)`);

  const tmp = mounts.find((m) => m.mountPath === '/tmp')?.local ?? path.join(podDir, 'v', 'tmp');
  const socketDir = env.PGHOST?.startsWith('/') ? env.PGHOST : path.join(tmp, 'postgres');
  for (const d of [tmp, socketDir]) {
    fs.mkdirSync(d, { recursive: true, mode: 0o755 });
    chown(d);
  }
  env.PGHOST = socketDir;
  const overrides = localOverrides({
    operatorConfig, mounts, ports, podName: pod.metadata.name, podIP: pod.status?.podIP, socketDir, kubeContext: KUBE_CONTEXT,
  });
  const header = '# Written by the sandbox database runtime (scripts/sandbox/pods): what a container and its node\n' +
    '# would provide. Everything else comes from the operator\'s files beside this one.\n';
  fs.writeFileSync(path.join(configDir, LOCAL_CONFIG_FILE), header + dump(overrides, { lineWidth: 200 }), { mode: 0o644 });

  const kubeconfig = path.join(podDir, 'kubeconfig');
  await podKubeconfig(pod, kubeconfig);

  const fullEnv: Record<string, string> = {
    PATH: kwokPath,
    LANG: 'C.UTF-8',
    HOME: tmp,
    ...env,
    KUBECONFIG: kubeconfig,
    PYTHONWARNINGS: 'ignore',
  };
  const dataDir = env.PATRONI_POSTGRESQL_DATA_DIR ?? env.PGDATA ?? operatorConfig.postgresql?.data_dir ?? path.join(volumeDirs[0] ?? tmp, 'data');
  await ensureExec(pod, { ...fullEnv, PGUSER: 'postgres', PATRONICTL_CONFIG_FILE: env.PATRONICTL_CONFIG_FILE ?? configDir }, tmp);

  fs.mkdirSync(logDir, { recursive: true });
  return new Database({
    namespace: ns,
    pod: pod.metadata.name,
    podUid: uid,
    podDir,
    dataDir,
    volumeDirs,
    configDir,
    command: command[0] === 'patroni' ? ['/usr/bin/patroni', ...command.slice(1)] : command,
    env: fullEnv,
    ports,
    logFile: path.join(logDir, `${ns}_${pod.metadata.name}.log`),
    user,
    graceMs: (pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000,
  }, log);
}

function release(db: Database): void {
  usedPorts.delete(db.spec.ports.postgres);
  usedPorts.delete(db.spec.ports.api);
  fs.rmSync(db.spec.podDir, { recursive: true, force: true });
}

function stopDb(uid: string, reason: string): Promise<void> {
  const db = dbs.get(uid);
  if (!db) return Promise.resolve();
  if (!stopping.has(uid)) {
    stopping.set(uid, db.stop(reason).finally(() => {
      release(db);
      dbs.delete(uid);
      stopping.delete(uid);
      log(`${db.key}: database stopped`);
    }));
  }
  return stopping.get(uid)!;
}

// ---------- reconcile ----------
let kwokNodes = new Set<string>();
let nodesAt = 0;

async function reconcile(): Promise<void> {
  if (Date.now() - nodesAt > 10_000 || kwokNodes.size === 0) {
    const nodes = await kube.list('/api/v1/nodes');
    kwokNodes = new Set(nodes.filter((n) => n.metadata.annotations?.['kwok.x-k8s.io/node'] === 'fake').map((n) => n.metadata.name));
    nodesAt = Date.now();
  }
  const [pods, claims] = await Promise.all([
    kube.list(`/api/v1/pods?labelSelector=${encodeURIComponent(`${DATA_LABEL}=postgres`)}`),
    kube.list('/api/v1/persistentvolumeclaims'),
  ]);
  const claimUid = new Map(claims.map((c) => [`${c.metadata.namespace}/${c.metadata.name}`, c.metadata.uid!]));
  const slotKey = (p: KObj): string => {
    const container = databaseContainer(p);
    const mounted = new Set((container?.volumeMounts ?? []).map((m: any) => m.name));
    const vol = (p.spec?.volumes ?? []).find((v: any) => v.persistentVolumeClaim && mounted.has(v.name));
    const uid = vol && claimUid.get(`${p.metadata.namespace}/${vol.persistentVolumeClaim.claimName}`);
    return uid ? `claim:${uid}` : `pod:${p.metadata.uid}`;
  };
  const runnable = pods.filter((p) => kwokNodes.has(p.spec?.nodeName) && p.status?.phase === 'Running' && p.status?.podIP &&
    !p.metadata.deletionTimestamp);
  const wanted = new Set(runnable.map((p) => p.metadata.uid!));
  for (const [uid, db] of dbs) {
    if (!wanted.has(uid)) void stopDb(uid, 'pod deleted');
  }
  for (const uid of overCapLogged) if (!wanted.has(uid)) overCapLogged.delete(uid);
  for (const uid of failures.keys()) if (!wanted.has(uid)) failures.delete(uid);
  // Slots: refresh the ones in use, release the ones whose member is gone.
  const now = Date.now();
  const liveClaims = new Set([...claimUid.values()].map((u) => `claim:${u}`));
  for (const p of pods) {
    const sl = slots.get(slotKey(p));
    if (sl && !p.metadata.deletionTimestamp) sl.seen = now;
  }
  let changed = false;
  for (const [k, v] of slots) {
    const inUse = [...dbs.values()].some((d) => d.slot === k) || [...preparing.values()].includes(k);
    if (inUse) v.seen = now;
    if (!inUse && ((k.startsWith('claim:') && !liveClaims.has(k)) || now - v.seen > SLOT_IDLE_MS)) {
      slots.delete(k);
      changed = true;
      log(`slot of ${v.member} released (${k.startsWith('claim:') && !liveClaims.has(k) ? 'claim deleted' : 'no pod for it'})`);
    }
  }
  runnable.sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)));
  for (const pod of runnable) {
    const uid = pod.metadata.uid!;
    if (dbs.has(uid) || preparing.has(uid)) continue;
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const slot = slotKey(pod);
    if (!slots.has(slot) && slots.size < cap) {
      slots.set(slot, { member: key, seen: now });
      changed = true;
    }
    if (!slots.has(slot)) {
      if (!overCapLogged.has(uid)) {
        overCapLogged.add(uid);
        log(`${key}: runs WITHOUT a database: all ${cap} database slots are taken (cap: --max-databases / KPGO_MAX_DATABASES; see GET /databases)`);
      }
      continue;
    }
    // A recreated pod on the same claim waits until the old pod's database has stopped.
    const busy = [...stopping.keys()].some((u) => dbs.get(u)?.slot === slot);
    if (busy) continue;
    preparing.set(uid, slot);
    overCapLogged.delete(uid);
    prepare(pod).then(
      (db) => {
        preparing.delete(uid);
        failures.delete(uid);
        if (shuttingDown) return release(db);
        db.slot = slot;
        dbs.set(uid, db);
        db.start();
      },
      (e: Error) => {
        preparing.delete(uid);
        if (failures.get(uid) !== e.message) log(`${key}: cannot start its database yet: ${e.message}`);
        failures.set(uid, e.message);
      },
    );
  }
  if (changed) saveSlots();
  // The kubelet's part: probes and container status of pods that have a database.
  for (const pod of runnable) {
    const db = dbs.get(pod.metadata.uid!);
    if (!db || stopping.has(pod.metadata.uid!) || now - db.lastProbeAt < PROBE_MS) continue;
    db.lastProbeAt = now;
    syncPodStatus(kube, pod, databaseContainer(pod), db).catch((e: Error) => log(`${db.key}: pod status: ${e.message}`));
  }
}

// ---------- control API for status.sh and test helpers ----------
function findDb(ns: string, pod: string): [string, Database] | undefined {
  return [...dbs.entries()].find(([, d]) => d.spec.namespace === ns && d.spec.pod === pod);
}

async function control(method: string, url: URL, body: string): Promise<{ status: number; body: unknown }> {
  if (method === 'GET' && url.pathname === '/databases') {
    const list = await Promise.all([...dbs.values()].map((d) => d.describe()));
    return { status: 200, body: { cap, databases: list, withoutDatabase: [...overCapLogged].length, slots: Object.fromEntries([...slots].map(([k, v]) => [k, v.member])) } };
  }
  if (method === 'POST' && url.pathname === '/cap') {
    // Lowering it stops nothing: running databases keep their slots until their members go.
    const max = Number(JSON.parse(body || '{}').max);
    if (!Number.isInteger(max) || max < 0) return { status: 400, body: { error: 'max must be a whole number' } };
    log(`cap changed from ${cap} to ${max}`);
    cap = max;
    return { status: 200, body: { cap } };
  }
  const m = /^\/databases\/([^/]+)\/([^/]+)\/(crash|stop|start)$/.exec(url.pathname);
  if (method === 'POST' && m) {
    const found = findDb(m[1], m[2]);
    if (!found) return { status: 404, body: { error: `no database for pod ${m[1]}/${m[2]}` } };
    const [, db] = found;
    const opts = body ? JSON.parse(body) : {};
    if (m[3] === 'crash') {
      const pids = await db.crash(opts.restartAfterMs === undefined ? 'never' : Number(opts.restartAfterMs));
      return { status: 200, body: { killed: pids } };
    }
    if (m[3] === 'stop') {
      await db.stop('stopped on request (pod kept)', true);
      return { status: 200, body: { stopped: db.key } };
    }
    db.start();
    return { status: 200, body: { started: db.key } };
  }
  return { status: 404, body: { error: 'not found' } };
}

// ---------- lifecycle ----------
/** Processes of a runtime that did not stop cleanly: end them before anything starts again. */
async function reapLeftovers(): Promise<void> {
  const pdir = path.join(root, 'p');
  if (!fs.existsSync(pdir)) return;
  for (const d of fs.readdirSync(pdir)) {
    try {
      const st = JSON.parse(fs.readFileSync(path.join(pdir, d, 'state.json'), 'utf8'));
      const pids = [st.patroniPid].filter((p: number) => alive(p) && cmdline(p).includes(st.configDir));
      const pm = postmasterPid(st.dataDir);
      const all = withDescendants([...pids, ...(pm ? [pm] : [])]);
      if (all.length) {
        log(`reaping leftover processes of ${d}: ${all.join(' ')}`);
        signal(all, 'SIGTERM');
        if (!(await waitGone(all, 20_000))) signal(withDescendants(all), 'SIGKILL');
      }
    } catch {
      /* no state */
    }
    fs.rmSync(path.join(pdir, d), { recursive: true, force: true });
  }
}

async function shutdown(): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  log(`shutting down: stopping ${dbs.size} databases (replicas first)`);
  const roles = new Map<string, string | undefined>();
  await Promise.all([...dbs.entries()].map(async ([uid, d]) => roles.set(uid, (await d.patroni())?.role)));
  const leaders = [...dbs.keys()].filter((u) => roles.get(u) === 'master' || roles.get(u) === 'primary' || roles.get(u) === 'standby_leader');
  await Promise.all([...dbs.keys()].filter((u) => !leaders.includes(u)).map((u) => stopDb(u, 'sandbox down')));
  await Promise.all(leaders.map((u) => stopDb(u, 'sandbox down')));
  log('all databases stopped');
  process.exit(0);
}

async function main(): Promise<void> {
  if (!Number.isInteger(cap) || cap < 0) {
    process.stderr.write(`error: --max-databases must be a whole number, got ${cap}\n`);
    process.exit(1);
  }
  await reapLeftovers();
  loadSlots();
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  await serveControl('pods-runtime', root, control);
  log(`watching database pods (label ${DATA_LABEL}=postgres) on kwok nodes; cap ${cap}; as ${user ? 'postgres' : os.userInfo().username}`);
  while (!shuttingDown) {
    try {
      await reconcile();
    } catch (e) {
      log(`reconcile: ${(e as Error).message}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

void main();
