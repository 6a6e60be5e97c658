// The sandbox's database runtime: for every Running database pod on a kwok node it runs the
// pod's own container command (`patroni /etc/patroni`) as a local process, as the postgres user,
// with the pod's environment, in the pod's own view of the filesystem (its volumes at their
// paths, shims/pod-enter); the pod's `pgbackrest server` too, and the repo host's. See
// ../README.md for what is real and what is overridden. Also keeps a kwok Exec object per pod so
// `kubectl exec` runs in that pod's view (shims/pod-exec).
//   env: PODS_ROOT SANDBOX_DIR APISERVER_URL ADMIN_TOKEN [KPGO_MAX_DATABASES=8]
//   flags: --max-databases N
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { dump, load } from 'js-yaml';
import { Kube, type KObj } from '../../kube/client.ts';
import { logLine, requireEnv, serveControl } from './control.ts';
import { Database } from './database.ts';
import { syncPodStatus } from './pod-status.ts';
import {
  LOCAL_CONFIG_FILE, PG_BIN, Ports, containerEnv, databaseContainer, deepMerge, localEnv, localOverrides, rewritePaths, withoutNssWrapper,
} from './pod-config.ts';
import {
  SourceKind, Sources, ViewMount, VolumeFile, hostsFile, keyValue, loopbackIP, viewFile, volumeFiles, volumeSources, writeAtomic,
} from './pod-view.ts';
import { Sidecar } from './sidecar.ts';
import { BACKUP_LABEL, BackupJobs } from './backup-job.ts';
import { alive, pidsWithEnv, postmasterPid, signal, waitGone, withDescendants } from './procs.ts';

const DATA_LABEL = 'postgres-operator.crunchydata.com/data'; // postgres: instance pods; pgbackrest: repo hosts
const KUBE_CONTEXT = 'kpgo-sandbox';
const PROBE_MS = 2000; // the pods' readiness probes say 10 s; the sandbox checks faster
const root = requireEnv('PODS_ROOT');
const sandboxDir = requireEnv('SANDBOX_DIR');
// The container image's PATH (PostgreSQL's programs first, as in Crunchy's images).
const IMAGE_PATH = `${PG_BIN}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
const ENTER = path.join(root, 'pod-enter');   // shims/pod-enter, installed by up.sh
const nsBase = path.join(root, 'nsroot');      // empty: each pod view mounts its tmpfs root here
const hostsPath = path.join(root, 'hosts');
const SANDBOX_ETC = '/etc/kpgo-sandbox';       // in every view: Patroni's kubeconfig
const NOT_IN_IMAGE = ['/etc/pgbackrest.conf']; // Debian's default pgBackRest file; PGO's image has none
const logDir = path.join(sandboxDir, 'logs', 'pods-db');
const capArg = process.argv.indexOf('--max-databases');
let cap = Number(capArg > 0 ? process.argv[capArg + 1] : process.env.KPGO_MAX_DATABASES ?? 8);
const kube = Kube.fromEnv();
const backupJobs = new BackupJobs(kube);
const log = (m: string) => logLine('runtime', m);

const user = (() => {
  if (process.getuid?.() !== 0) return undefined; // not root: run as ourselves
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
})();
const chown = (p: string) => { if (user) fs.chownSync(p, user.uid, user.gid); };

const dbs = new Map<string, Database>();    // by pod UID
const sidecars = new Map<string, Sidecar>(); // pgbackrest server, by pod UID (instances and repo hosts)
const repoHosts = new Set<string>();         // pod UIDs of repo hosts we run
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

// Ports are also reserved across sandboxes (several runtimes share loopback): a port whose
// database crashed is free, and another sandbox's database must not take it meanwhile (a
// replica would then follow a stranger). One file per port, naming the runtime's pid.
const PORT_LOCKS = '/var/tmp/kpgo-pods-ports';

function reservePort(port: number): boolean {
  const file = path.join(PORT_LOCKS, String(port));
  fs.mkdirSync(PORT_LOCKS, { recursive: true, mode: 0o755 });
  try {
    fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    const owner = Number(fs.readFileSync(file, 'utf8'));
    if (owner === process.pid || alive(owner)) return false;
    fs.writeFileSync(file, String(process.pid)); // its runtime is gone
    return true;
  }
}

function unreservePort(port: number): void {
  usedPorts.delete(port);
  try {
    if (Number(fs.readFileSync(path.join(PORT_LOCKS, String(port)), 'utf8')) === process.pid) fs.rmSync(path.join(PORT_LOCKS, String(port)));
  } catch {
    /* not ours */
  }
}

/** A postgres/REST API port pair on loopback, away from 5432, 8008 and the ephemeral range. */
async function allocatePorts(): Promise<Ports> {
  for (let k = 0; k < 1000; k++) {
    const pg = 25432 + 2 * k;
    const api = pg + 1;
    if (usedPorts.has(pg) || usedPorts.has(api)) continue;
    if (!(await portFree(pg)) || !(await portFree(api))) continue;
    if (!reservePort(pg)) continue;
    if (!reservePort(api)) {
      unreservePort(pg);
      continue;
    }
    usedPorts.add(pg);
    usedPorts.add(api);
    return { postgres: pg, api };
  }
  throw new Error('no free port pair in 25432-27431');
}

// ---------- volumes ----------
async function claimDir(namespace: string, claim: string): Promise<string> {
  const pvc = await kube.getOrNull(`/api/v1/namespaces/${namespace}/persistentvolumeclaims/${claim}`);
  if (!pvc) throw new Error(`PersistentVolumeClaim ${claim} not found`);
  if (pvc.status?.phase !== 'Bound') throw new Error(`PersistentVolumeClaim ${claim} is ${pvc.status?.phase ?? 'not bound'}`);
  const pv = await kube.getOrNull(`/api/v1/persistentvolumes/${pvc.spec.volumeName}`);
  // Keyed by the claim's UID: a pod recreated on the same claim finds its data.
  const dir = pv?.spec?.hostPath?.path ?? path.join(root, 'volumes', pvc.metadata.uid!);
  fs.mkdirSync(dir, { recursive: true, mode: 0o750 });
  chown(dir);
  return dir;
}

/** What the kubelet keeps for a pod: its volumes on the host and each container's view of them. */
interface PodFiles {
  pod: KObj;
  podDir: string;
  token: string;
  volumes: Map<string, { vol: any; dir: string }>; // by volume name; dir '' = in-memory (tmpfs)
  views: Map<string, { file: string; mounts: ViewMount[] }>; // by container name
}

const podFiles = new Map<string, PodFiles>(); // by pod UID, for the refresh of ConfigMap/Secret volumes

async function fetchSources(ns: string, wanted: { kind: SourceKind; name: string }[], into: Sources): Promise<void> {
  for (const { kind, name } of wanted) {
    if (into[kind].has(name)) continue;
    into[kind].set(name, await kube.getOrNull(`/api/v1/namespaces/${ns}/${kind === 'configMap' ? 'configmaps' : 'secrets'}/${name}`));
  }
}

/** The files of a ConfigMap/Secret/projected/downwardAPI volume, the pod's service account token included. */
function podVolumeFiles(pod: KObj, vol: any, sources: Sources, token: string): { files: VolumeFile[]; missing: string[] } {
  const r = volumeFiles(pod, vol, sources);
  for (const s of vol.projected?.sources ?? []) {
    if (s.serviceAccountToken) r.files.push({ path: s.serviceAccountToken.path, data: Buffer.from(token), mode: vol.projected.defaultMode ?? 0o644 });
  }
  return r;
}

const isFileVolume = (vol: any) => !!(vol.configMap || vol.secret || vol.projected || vol.downwardAPI);

/** A TokenRequest for the pod's own ServiceAccount, bound to the pod. */
async function podToken(pod: KObj): Promise<string> {
  const sa = pod.spec?.serviceAccountName ?? 'default';
  const tr = await kube.create<any>(`/api/v1/namespaces/${pod.metadata.namespace}/serviceaccounts/${sa}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 86400, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid } },
  });
  return tr.status.token;
}

/** Patroni's DCS credentials: a kubeconfig with the pod's token (a container would use in-cluster config). */
function writeKubeconfig(pod: KObj, token: string, file: string): void {
  const ns = pod.metadata.namespace!;
  const who = `system:serviceaccount:${ns}:${pod.spec?.serviceAccountName ?? 'default'}`;
  const cfg = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'sandbox', cluster: { server: kube.server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: who, user: { token } }],
    contexts: [{ name: KUBE_CONTEXT, context: { cluster: 'sandbox', user: who, namespace: ns } }],
    'current-context': KUBE_CONTEXT,
  };
  fs.writeFileSync(file, dump(cfg), { mode: 0o600 });
  chown(file);
}

/** Volumes of the pod on the host, and a view file per container (shims/pod-enter reads it). */
async function preparePodFiles(pod: KObj): Promise<PodFiles> {
  const ns = pod.metadata.namespace!;
  const podDir = path.join(root, 'p', pod.metadata.uid!.slice(0, 8));
  fs.rmSync(podDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(podDir, 'c'), { recursive: true, mode: 0o755 });
  const kubeDir = path.join(podDir, 'kube');
  fs.mkdirSync(kubeDir, { mode: 0o755 });
  const token = await podToken(pod);
  writeKubeconfig(pod, token, path.join(kubeDir, 'kubeconfig'));

  const containers: any[] = pod.spec?.containers ?? [];
  const used = new Set(containers.flatMap((c) => (c.volumeMounts ?? []).map((m: any) => m.name)));
  const sources: Sources = { configMap: new Map(), secret: new Map() };
  const volumes = new Map<string, { vol: any; dir: string }>();
  for (const vol of pod.spec?.volumes ?? []) {
    if (!used.has(vol.name)) continue;
    let dir: string;
    if (vol.persistentVolumeClaim) dir = await claimDir(ns, vol.persistentVolumeClaim.claimName);
    else if (vol.emptyDir?.medium === 'Memory') dir = '';
    else if (vol.hostPath) dir = vol.hostPath.path;
    else {
      dir = path.join(podDir, 'v', vol.name);
      fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
      if (vol.emptyDir) fs.chmodSync(dir, 0o1777);
      else if (isFileVolume(vol)) {
        await fetchSources(ns, volumeSources(vol), sources);
        const { files, missing } = podVolumeFiles(pod, vol, sources, token);
        // The kubelet would keep the container waiting; the log says what is missing.
        if (missing.length) log(`${ns}/${pod.metadata.name}: volume ${vol.name} lacks ${missing.join(', ')}`);
        writeAtomic(dir, files, user);
      }
      chown(dir);
    }
    volumes.set(vol.name, { vol, dir });
  }

  const views = new Map<string, { file: string; mounts: ViewMount[] }>();
  for (const c of containers) {
    const mounts: ViewMount[] = [];
    const tmpfs: string[] = [];
    for (const vm of c.volumeMounts ?? []) {
      const v = volumes.get(vm.name);
      if (!v) continue;
      if (v.dir === '') tmpfs.push(vm.mountPath);
      else mounts.push({ mountPath: vm.mountPath, local: vm.subPath ? path.join(v.dir, vm.subPath) : v.dir, readOnly: !!vm.readOnly });
    }
    // What the node adds: cluster DNS for pod names (as /etc/hosts) and Patroni's kubeconfig.
    mounts.push({ mountPath: '/etc/hosts', local: hostsPath, readOnly: true }, { mountPath: SANDBOX_ETC, local: kubeDir, readOnly: true });
    const file = path.join(podDir, 'c', `${c.name}.view`);
    fs.writeFileSync(file, viewFile({
      base: nsBase, user: user ?? { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 }, workDir: c.workingDir ?? '/',
      mounts, tmpfs, hide: NOT_IN_IMAGE,
    }));
    views.set(c.name, { file, mounts });
  }
  const pf: PodFiles = { pod, podDir, token, volumes, views };
  podFiles.set(pod.metadata.uid!, pf);
  return pf;
}

/** The environment every process of a container gets, beside the container's own `env`. */
function baseEnv(pf: PodFiles): Record<string, string> {
  return {
    PATH: IMAGE_PATH, HOME: '/tmp', LANG: 'C.UTF-8', HOSTNAME: pf.pod.spec?.hostname ?? pf.pod.metadata.name,
    KUBECONFIG: `${SANDBOX_ETC}/kubeconfig`,
    PYTHONWARNINGS: 'ignore', // urllib3 warnings on stderr would count as failures for PGO
    KPGO_PODS_ROOT: root, KPGO_POD: path.basename(pf.podDir), // marks: the runtime and down.sh find leftovers by them
  };
}

function lookupIn(sources: Sources) {
  return (kind: SourceKind, name: string, key: string) => keyValue(sources[kind].get(name), kind, key)?.toString('utf8');
}

async function envOf(pf: PodFiles, c: any): Promise<Record<string, string>> {
  const sources: Sources = { configMap: new Map(), secret: new Map() };
  for (const e of c.env ?? []) {
    const r = e.valueFrom?.configMapKeyRef ?? e.valueFrom?.secretKeyRef;
    if (r) await fetchSources(pf.pod.metadata.namespace!, [{ kind: e.valueFrom.configMapKeyRef ? 'configMap' : 'secret', name: r.name }], sources);
  }
  return withoutNssWrapper(containerEnv(pf.pod, c, lookupIn(sources)));
}

/** Env files for `kubectl exec` (shims/pod-exec reads them) and the kwok Exec object naming them. */
async function ensureExec(pf: PodFiles, envs: Map<string, Record<string, string>>, defaultContainer: string): Promise<void> {
  const pod = pf.pod;
  const ns = pod.metadata.namespace!;
  const target = (c: string) => {
    const envFile = path.join(pf.podDir, 'c', `${c}.env.json`);
    fs.writeFileSync(envFile, JSON.stringify(envs.get(c) ?? {}), { mode: 0o600 });
    return { workDir: pf.podDir, envs: [{ name: 'KPGO_VIEW', value: pf.views.get(c)!.file }, { name: 'KPGO_ENV', value: envFile }] };
  };
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
      execs: [
        ...[...pf.views.keys()].map((c) => ({ containers: [c], local: target(c) })),
        { local: target(defaultContainer) },
      ],
    },
  };
  const base = `/apis/kwok.x-k8s.io/v1alpha1/namespaces/${ns}/execs`;
  const cur = await kube.getOrNull(`${base}/${pod.metadata.name}`);
  if (cur) await kube.request('PUT', `${base}/${pod.metadata.name}`, { ...body, metadata: { ...body.metadata, resourceVersion: cur.metadata.resourceVersion } });
  else await kube.create(base, body);
}

/** The pod's `pgbackrest server` container, on the pod's own loopback address. */
function pgbackrestServer(pf: PodFiles, env: Record<string, string>): Sidecar | undefined {
  const c = (pf.pod.spec?.containers ?? []).find((x: any) => x.name === 'pgbackrest' && (x.command ?? [])[0] === 'pgbackrest');
  const ip = loopbackIP(pf.pod.status?.podIP);
  if (!c || !ip) return undefined;
  const key = `${pf.pod.metadata.namespace}/${pf.pod.metadata.name}`;
  return new Sidecar({
    key: `${key}:${c.name}`,
    command: [...c.command, ...(c.args ?? [])],
    // The configuration says tls-server-address = 0.0.0.0: every pod's server would want the same
    // port. The environment outranks the configuration file in pgBackRest.
    env: { ...env, PGBACKREST_TLS_SERVER_ADDRESS: ip },
    viewFile: pf.views.get(c.name)!.file,
    enter: ENTER,
    logFile: path.join(logDir, `${pf.pod.metadata.namespace}_${pf.pod.metadata.name}_${c.name}.log`),
    graceMs: (pf.pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000,
  }, log);
}

/** Directories the pod's init containers make (postgres-startup, pgbackrest-log-dir): these
 *  scripts check the PostgreSQL major version, which differs here, so the runtime makes them. */
function initDirs(pf: PodFiles, mounts: ViewMount[], dirs: string[]): void {
  for (const d of dirs) {
    const host = rewritePaths(d, mounts);
    if (host === d) continue; // not on a volume of this container
    fs.mkdirSync(host, { recursive: true, mode: 0o775 });
    for (let p = host; p.length > 1 && !mounts.some((m) => m.local === p); p = path.dirname(p)) chown(p);
  }
}

// ---------- one pod ----------
function loadConfigPath(p: string): any {
  const files = fs.readdirSync(p).filter((f) => /\.ya?ml$/.test(f) && f !== LOCAL_CONFIG_FILE).sort().map((f) => path.join(p, f));
  return files.reduce((acc, f) => deepMerge(acc, load(fs.readFileSync(f, 'utf8')) ?? {}), {});
}

async function prepare(pod: KObj): Promise<Database> {
  const container = databaseContainer(pod);
  if (!container) throw new Error('no database container (named "database" or running patroni)');
  const pf = await preparePodFiles(pod);
  const ports = await allocatePorts();
  try {
    return await prepareDatabase(pod, pf, container, ports);
  } catch (e) {
    // Setup is retried every second until the objects are complete: keep no ports meanwhile.
    unreservePort(ports.postgres);
    unreservePort(ports.api);
    throw e;
  }
}

async function prepareDatabase(pod: KObj, pf: PodFiles, container: any, ports: Ports): Promise<Database> {
  const ns = pod.metadata.namespace!;
  const mounts = pf.views.get(container.name)!.mounts;
  const host = (p: string) => rewritePaths(p, mounts);
  const containerPort = (container.ports ?? []).find((p: any) => p.name === 'postgres')?.containerPort ?? 5432;
  const env = { ...baseEnv(pf), ...localEnv(await envOf(pf, container), ports, containerPort) };

  const command: string[] = [...(container.command ?? []), ...(container.args ?? [])];
  const configArg = command.find((a, i) => i > 0 && host(a) !== a && fs.existsSync(host(a)) && fs.statSync(host(a)).isDirectory());
  if (!configArg) throw new Error(`no configuration directory on a volume in the container command: ${command.join(' ')}`);
  const configDir = host(configArg);
  const operatorConfig = loadConfigPath(configDir);
  if (!operatorConfig.scope) throw new Error(`no Patroni scope in ${configArg} (operator configuration incomplete)`);

  const socketDir = env.PGHOST?.startsWith('/') ? env.PGHOST : '/tmp/postgres';
  initDirs(pf, mounts, [socketDir, '/pgdata/pgbackrest/log', '/pgdata/patroni/log', '/pgdata/logs/postgres']);
  // PostgreSQL listens on a port of its own here; clients that name the container's port on the
  // socket (pgBackRest's pg1-port) find it through a link.
  if (containerPort !== ports.postgres) {
    const link = path.join(host(socketDir), `.s.PGSQL.${containerPort}`);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(`.s.PGSQL.${ports.postgres}`, link);
  }
  // postgres-startup copies the replication certificates where Patroni's configuration expects them.
  const replSrc = host('/pgconf/tls/replication');
  if (replSrc !== '/pgconf/tls/replication' && fs.existsSync(replSrc)) {
    initDirs(pf, mounts, ['/tmp/replication']);
    for (const f of ['tls.crt', 'tls.key', 'ca.crt']) {
      const to = path.join(host('/tmp/replication'), f);
      if (fs.existsSync(path.join(replSrc, f))) { fs.copyFileSync(path.join(replSrc, f), to); fs.chmodSync(to, 0o600); chown(to); }
    }
  }

  const overrides = localOverrides({
    operatorConfig, ports, podName: pod.metadata.name, podIP: pod.status?.podIP, socketDir, kubeContext: KUBE_CONTEXT,
  });
  const header = '# Written by the sandbox database runtime (scripts/sandbox/pods): what a container and its node\n' +
    '# would provide. Everything else comes from the operator\'s files beside this one.\n';
  fs.writeFileSync(path.join(configDir, LOCAL_CONFIG_FILE), header + dump(overrides, { lineWidth: 200 }), { mode: 0o644 });

  const podDataDir = env.PATRONI_POSTGRESQL_DATA_DIR ?? env.PGDATA ?? operatorConfig.postgresql?.data_dir ?? '/pgdata/data';
  const envs = new Map<string, Record<string, string>>();
  for (const c of pod.spec?.containers ?? []) envs.set(c.name, c === container ? env : { ...baseEnv(pf), ...(await envOf(pf, c)) });
  await ensureExec(pf, envs, container.name);
  const server = pgbackrestServer(pf, envs.get('pgbackrest') ?? baseEnv(pf));
  if (server) sidecars.set(pod.metadata.uid!, server);

  fs.mkdirSync(logDir, { recursive: true });
  return new Database({
    namespace: ns,
    pod: pod.metadata.name,
    podUid: pod.metadata.uid!,
    podDir: pf.podDir,
    dataDir: host(podDataDir),
    podDataDir,
    volumeDirs: [...pf.volumes.values()].filter((v) => v.vol.persistentVolumeClaim).map((v) => v.dir),
    configDir,
    command: ['unshare', '--mount', '--propagation', 'private', '--', ENTER, ...command],
    env: { ...env, KPGO_VIEW: pf.views.get(container.name)!.file },
    ports,
    logFile: path.join(logDir, `${ns}_${pod.metadata.name}.log`),
    graceMs: (pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000,
  }, log);
}

/** A pgBackRest repo host pod: its `pgbackrest server`, and exec into it. */
async function prepareRepoHost(pod: KObj): Promise<Sidecar | undefined> {
  const pf = await preparePodFiles(pod);
  const envs = new Map<string, Record<string, string>>();
  for (const c of pod.spec?.containers ?? []) envs.set(c.name, { ...baseEnv(pf), ...(await envOf(pf, c)) });
  const def = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'] ?? pod.spec?.containers?.[0]?.name;
  const server = pgbackrestServer(pf, envs.get('pgbackrest') ?? baseEnv(pf));
  if (server) {
    const mounts = pf.views.get('pgbackrest')!.mounts;
    // pgbackrest-log-dir (init container): the log directory of each repository volume.
    initDirs(pf, mounts, mounts.filter((m) => /^\/pgbackrest\/[^/]+$/.test(m.mountPath)).map((m) => `${m.mountPath}/log`));
  }
  await ensureExec(pf, envs, def);
  return server;
}

/** ConfigMap and Secret volumes follow their objects, as the kubelet syncs them (it takes up to a
 *  minute; here a few seconds). A pgBackRest server is told with SIGHUP, as its
 *  pgbackrest-config container would. Two LISTs, whatever the number of pods. */
async function refreshVolumes(): Promise<void> {
  if (podFiles.size === 0) return;
  const [{ items: cms }, { items: secrets }] = await Promise.all([kube.list('/api/v1/configmaps'), kube.list('/api/v1/secrets')]);
  const byNs = new Map<string, Sources>();
  const of = (ns: string) => byNs.get(ns) ?? byNs.set(ns, { configMap: new Map(), secret: new Map() }).get(ns)!;
  for (const c of cms) of(c.metadata.namespace!).configMap.set(c.metadata.name, c);
  for (const s of secrets) of(s.metadata.namespace!).secret.set(s.metadata.name, s);
  for (const [uid, pf] of podFiles) {
    const sources = of(pf.pod.metadata.namespace!);
    for (const [name, { vol, dir }] of pf.volumes) {
      if (!dir || !isFileVolume(vol)) continue;
      const { files, missing } = podVolumeFiles(pf.pod, vol, sources, pf.token);
      if (missing.length && files.length === 0) continue; // the kubelet keeps what it had
      if (!writeAtomic(dir, files, user)) continue;
      log(`${pf.pod.metadata.namespace}/${pf.pod.metadata.name}: volume ${name} updated`);
      const server = sidecars.get(uid);
      if (server && pf.views.get('pgbackrest')?.mounts.some((m) => m.local === dir)) server.reload();
    }
  }
}

function forgetPod(uid: string): void {
  const pf = podFiles.get(uid);
  podFiles.delete(uid);
  if (pf) fs.rmSync(pf.podDir, { recursive: true, force: true });
}

/** /etc/hosts of every pod view: rewritten in place (it is bind-mounted) when pods change. */
function writeHosts(pods: KObj[]): void {
  const text = hostsFile(fs.readFileSync('/etc/hosts', 'utf8'), pods);
  let cur = '';
  try {
    cur = fs.readFileSync(hostsPath, 'utf8');
  } catch {
    /* first time */
  }
  if (cur !== text) fs.writeFileSync(hostsPath, text, { mode: 0o644 });
}

function release(db: Database): void {
  unreservePort(db.spec.ports.postgres);
  unreservePort(db.spec.ports.api);
  forgetPod(db.spec.podUid);
}

function stopDb(uid: string, reason: string): Promise<void> {
  const db = dbs.get(uid);
  if (!db) return Promise.resolve();
  if (!stopping.has(uid)) {
    const server = sidecars.get(uid);
    sidecars.delete(uid);
    stopping.set(uid, Promise.all([db.stop(reason), server?.stop()]).then(() => undefined).finally(() => {
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
const REFRESH_MS = 5000;
let refreshedAt = 0;
const repoPreparing = new Set<string>();

/** Repo host pods: no database, no cap; their pgbackrest server runs while they do. */
function reconcileRepoHosts(pods: KObj[]): void {
  const wanted = new Set(pods.map((p) => p.metadata.uid!));
  for (const uid of repoHosts) {
    if (wanted.has(uid)) continue;
    repoHosts.delete(uid);
    const server = sidecars.get(uid);
    sidecars.delete(uid);
    void (server?.stop() ?? Promise.resolve()).then(() => forgetPod(uid));
  }
  for (const pod of pods) {
    const uid = pod.metadata.uid!;
    if (repoHosts.has(uid) || repoPreparing.has(uid)) continue;
    repoPreparing.add(uid);
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    prepareRepoHost(pod).then(
      (server) => {
        repoPreparing.delete(uid);
        failures.delete(uid);
        if (shuttingDown) return;
        repoHosts.add(uid);
        if (server) {
          sidecars.set(uid, server);
          server.start();
        }
        log(`${key}: repo host ready${server ? ' (pgbackrest server started)' : ''}`);
      },
      (e: Error) => {
        repoPreparing.delete(uid);
        forgetPod(uid);
        if (failures.get(uid) !== e.message) log(`${key}: cannot start its repo host yet: ${e.message}`);
        failures.set(uid, e.message);
      },
    );
  }
}

async function reconcile(): Promise<void> {
  if (Date.now() - nodesAt > 10_000 || kwokNodes.size === 0) {
    const { items: nodes } = await kube.list('/api/v1/nodes');
    kwokNodes = new Set(nodes.filter((n) => n.metadata.annotations?.['kwok.x-k8s.io/node'] === 'fake').map((n) => n.metadata.name));
    nodesAt = Date.now();
  }
  const [allPods, claims, backupPods] = (await Promise.all([
    kube.list('/api/v1/pods', `${DATA_LABEL} in (postgres,pgbackrest)`),
    kube.list('/api/v1/persistentvolumeclaims'),
    kube.list('/api/v1/pods', BACKUP_LABEL),
  ])).map((l) => l.items);
  backupJobs.reconcile(backupPods.filter((p) => kwokNodes.has(p.spec?.nodeName)));
  const onKwok = (p: KObj) => kwokNodes.has(p.spec?.nodeName) && p.status?.phase === 'Running' && p.status?.podIP && !p.metadata.deletionTimestamp;
  const running = allPods.filter(onKwok);
  const runningUids = new Set(running.map((p) => p.metadata.uid!));
  writeHosts(running);
  reconcileRepoHosts(running.filter((p) => p.metadata.labels?.[DATA_LABEL] === 'pgbackrest'));
  if (Date.now() - refreshedAt > REFRESH_MS) {
    refreshedAt = Date.now();
    refreshVolumes().catch((e: Error) => log(`volume refresh: ${e.message}`));
  }
  const pods = allPods.filter((p) => p.metadata.labels?.[DATA_LABEL] === 'postgres');
  const claimUid = new Map(claims.map((c) => [`${c.metadata.namespace}/${c.metadata.name}`, c.metadata.uid!]));
  const slotKey = (p: KObj): string => {
    const container = databaseContainer(p);
    const mounted = new Set((container?.volumeMounts ?? []).map((m: any) => m.name));
    const vol = (p.spec?.volumes ?? []).find((v: any) => v.persistentVolumeClaim && mounted.has(v.name));
    const uid = vol && claimUid.get(`${p.metadata.namespace}/${vol.persistentVolumeClaim.claimName}`);
    return uid ? `claim:${uid}` : `pod:${p.metadata.uid}`;
  };
  const runnable = pods.filter(onKwok);
  const wanted = new Set(runnable.map((p) => p.metadata.uid!));
  for (const [uid, db] of dbs) {
    if (!wanted.has(uid)) void stopDb(uid, 'pod deleted');
  }
  for (const uid of overCapLogged) if (!wanted.has(uid)) overCapLogged.delete(uid);
  for (const uid of failures.keys()) if (!runningUids.has(uid)) failures.delete(uid);
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
        sidecars.get(uid)?.start();
      },
      (e: Error) => {
        preparing.delete(uid);
        sidecars.delete(uid);
        forgetPod(uid);
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
    // Every process the runtime starts carries KPGO_POD=<its directory> (Patroni, pgBackRest
    // servers, execs); a postmaster whose Patroni is gone is found by its data directory.
    let pm: number | undefined;
    try {
      const st = JSON.parse(fs.readFileSync(path.join(pdir, d, 'state.json'), 'utf8'));
      pm = postmasterPid(st.dataDir, st.podDataDir);
    } catch {
      /* no database in this pod */
    }
    const all = withDescendants([...pidsWithEnv('KPGO_POD', d), ...(pm ? [pm] : [])]);
    if (all.length) {
      log(`reaping leftover processes of ${d}: ${all.join(' ')}`);
      signal(all, 'SIGTERM');
      if (!(await waitGone(all, 20_000))) signal(withDescendants(all), 'SIGKILL');
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
  await Promise.all([...sidecars.values()].map((s) => s.stop()));
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
  fs.mkdirSync(nsBase, { recursive: true, mode: 0o755 });
  log(`watching database pods (label ${DATA_LABEL}=postgres) and repo hosts (=pgbackrest) on kwok nodes; cap ${cap}; as ${user ? 'postgres' : os.userInfo().username}`);
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
