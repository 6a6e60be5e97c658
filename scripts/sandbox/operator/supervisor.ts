// The operator slot's "kubelet": installs PGO's Deployment (install.ts), then keeps exactly one
// operator process running while the Deployment has a live pod, and makes that pod's Ready
// condition tell the truth about the process. kwok runs the pod (scheduling, IP, phase Running)
// and marks it Ready once when it starts; from then on this supervisor owns the pod's Ready and
// container status: Ready=True only while the process runs (the model: once its watches have
// synced; a binary: after 1 s alive), False while it starts, after it dies (restarted with
// kubelet-like backoff) and when the pod goes away (scale to 0: the process is stopped).
//   env: KUBECONFIG SANDBOX_DIR REPO_ROOT PGO_CRDS KUBE_BIN_DIR [OPERATOR_BINARY] [KPGO_SHARED_DIR]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError, Kube, PatchStrategy, type KObj } from '../kube/client.ts';
import { NAMESPACE, SELECTOR, fixtureDir, installObjects, managerEnv } from './install.ts';
import { CONTAINER_LOG, ContainerLog } from './container-log.ts';

const need = (k: string) => {
  const v = process.env[k];
  if (!v) {
    process.stderr.write(`error: ${k} is not set\n`);
    process.exit(1);
  }
  return v;
};
const kubeconfig = need('KUBECONFIG');
const sandboxDir = need('SANDBOX_DIR');
const repoRoot = need('REPO_ROOT');
const crds = process.env.PGO_CRDS || 'v5.8.9';
const sharedDir = process.env.KPGO_SHARED_DIR || path.resolve(repoRoot, '../shared');
const binary = process.env.OPERATOR_BINARY || '';
const runDir = path.join(sandboxDir, 'run');
const operatorLog = path.join(sandboxDir, 'operator.log');
const kube = Kube.fromFile(kubeconfig);
const log = (m: string) => process.stdout.write(`[operator-supervisor ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const podsPath = `/api/v1/namespaces/${NAMESPACE}/pods`;
const selector = Object.entries(SELECTOR).map(([k, v]) => `${k}=${v}`).join(',');

// ---- install --------------------------------------------------------------------------------

const collection = (o: KObj): string => {
  const ns = o.metadata.namespace;
  switch (o.kind) {
    case 'Namespace': return '/api/v1/namespaces';
    case 'ServiceAccount': return `/api/v1/namespaces/${ns}/serviceaccounts`;
    case 'ClusterRole': return '/apis/rbac.authorization.k8s.io/v1/clusterroles';
    case 'ClusterRoleBinding': return '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings';
    case 'Deployment': return `/apis/apps/v1/namespaces/${ns}/deployments`;
    default: throw new Error(`install: unexpected kind ${o.kind}`);
  }
};

async function install(): Promise<void> {
  for (const o of installObjects(fixtureDir(sharedDir, crds), crds)) {
    const p = `${collection(o)}/${o.metadata.name}`;
    // The Deployment is created once and then left alone: a test may have scaled it to 0.
    if (o.kind === 'Deployment' && (await kube.getOrNull(p))) continue;
    await kube.apply(p, o, 'kpgo-sandbox-install');
  }
  for (const sa of ['default']) {
    try {
      await kube.create(`/api/v1/namespaces/${NAMESPACE}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa } });
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 409)) throw e;
    }
  }
}

// ---- the process ------------------------------------------------------------------------------

type Phase = 'starting' | 'running' | 'backoff';
interface Proc {
  podUid: string;
  child?: ChildProcess;
  phase: Phase;
  startedAt: string;
  restarts: number;
  lastExit?: { exitCode: number; reason: string; finishedAt: string; startedAt: string };
  timer?: NodeJS.Timeout;
}
let proc: Proc | undefined;
let stopping = false;

let modelBundle: string | undefined;

/** The model as one bundle run by plain node (../bundle.mjs says why), built on its first start. */
function model(): string {
  if (!modelBundle) {
    const out = path.join(runDir, 'operator-model.mjs');
    execFileSync(process.execPath, [path.join(repoRoot, 'scripts/sandbox/bundle.mjs'), path.join(repoRoot, 'scripts/sandbox/operator/model/main.ts'), out], { stdio: 'inherit' });
    modelBundle = out;
  }
  return modelBundle;
}

function command(): { bin: string; args: string[]; env: NodeJS.ProcessEnv; readyMarker?: RegExp } {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...managerEnv(fixtureDir(sharedDir, crds)),
    PGO_NAMESPACE: NAMESPACE,
    CHECK_FOR_UPGRADES: 'false',
    KUBECONFIG: kubeconfig,
  };
  if (binary) return { bin: binary, args: [], env };
  return {
    bin: process.execPath,
    args: [model()],
    env: { ...env, KUBE_BIN_DIR: process.env.KUBE_BIN_DIR },
    readyMarker: /msg="Starting workers"/,
  };
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

// No run/operator.bin: a binary may exec something else (a wrapper script), so the command line
// is no proof; the pid file is removed the moment the process exits instead.
function writePidFiles(child: ChildProcess): void {
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(path.join(runDir, 'operator.pid'), `${child.pid}\n`);
  fs.writeFileSync(path.join(runDir, 'operator.started'), `${now()}\n`);
}

function removePidFiles(): void {
  for (const f of ['operator.pid', 'operator.bin', 'operator.started']) fs.rmSync(path.join(runDir, f), { force: true });
}

function start(p: Proc): void {
  const { bin, args, env, readyMarker } = command();
  const out = fs.createWriteStream(operatorLog, { flags: 'a' });
  const containerLog = new ContainerLog(path.join(sandboxDir, CONTAINER_LOG));
  const child = spawn(bin, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  p.child = child;
  p.phase = 'starting';
  p.startedAt = now();
  writePidFiles(child);
  log(`operator started (pid ${child.pid}${binary ? `, ${binary}` : ', model'}) for pod uid ${p.podUid}`);
  let buf = '';
  const scan = (d: Buffer, stream: 'stdout' | 'stderr') => {
    out.write(d);
    containerLog.write(stream, d);
    if (p.phase !== 'starting' || !readyMarker) return;
    buf = (buf + d.toString()).slice(-4096);
    if (readyMarker.test(buf)) markRunning(p, child);
  };
  child.stdout?.on('data', (d: Buffer) => scan(d, 'stdout'));
  child.stderr?.on('data', (d: Buffer) => scan(d, 'stderr'));
  if (!readyMarker) setTimeout(() => markRunning(p, child), 1000);
  child.on('error', (e) => log(`operator could not start: ${e.message}`));
  child.on('exit', (code, signal) => {
    out.end();
    containerLog.end();
    if (p.child !== child) return;
    p.child = undefined;
    removePidFiles();
    p.lastExit = { exitCode: code ?? 137, reason: signal ? 'Error' : code === 0 ? 'Completed' : 'Error', finishedAt: now(), startedAt: p.startedAt };
    if (stopping || proc !== p) return;
    // The container died: not Ready, restarted after the kubelet's back-off (10 s doubling, 5 min cap).
    p.phase = 'backoff';
    const delay = Math.min(10_000 * 2 ** p.restarts, 300_000);
    p.restarts++;
    log(`operator exited (${signal ?? `code ${code}`}); restart ${p.restarts} in ${delay / 1000} s`);
    p.timer = setTimeout(() => {
      if (proc === p && !stopping) start(p);
    }, delay);
    void sync();
  });
}

function markRunning(p: Proc, child: ChildProcess): void {
  if (p.child !== child || p.phase !== 'starting') return;
  p.phase = 'running';
  log('operator ready');
  void sync();
}

async function stopProcess(): Promise<void> {
  const p = proc;
  proc = undefined;
  if (!p) return;
  if (p.timer) clearTimeout(p.timer);
  const child = p.child;
  p.child = undefined;
  if (!child || child.exitCode !== null) {
    removePidFiles();
    return;
  }
  log(`stopping operator (pid ${child.pid})`);
  await new Promise<void>((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
  removePidFiles();
  log('operator stopped');
}

// ---- the pod ----------------------------------------------------------------------------------

/** The pod the process belongs to: the oldest live, scheduled pod of the Deployment. */
function activePod(pods: KObj[]): KObj | undefined {
  return pods
    .filter((p) => !p.metadata.deletionTimestamp && p.spec?.nodeName && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')
    .sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)))[0];
}

function desiredStatus(pod: KObj, current: Proc | undefined): KObj['status'] {
  const p = current?.podUid === pod.metadata.uid ? current : undefined;
  const ready = p?.phase === 'running';
  const container = pod.spec?.containers?.[0] ?? {};
  const prev = (pod.status?.conditions ?? []) as Array<{ type: string; status: string; lastTransitionTime?: string }>;
  const cond = (type: string, status: string) => {
    const old = prev.find((c) => c.type === type);
    return { type, status, lastProbeTime: null, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now() };
  };
  const state =
    p?.child
      ? { running: { startedAt: p.startedAt } }
      : p?.phase === 'backoff'
        ? { waiting: { reason: 'CrashLoopBackOff', message: 'back-off restarting failed container' } }
        : { waiting: { reason: 'ContainerCreating' } };
  return {
    conditions: [cond('Ready', ready ? 'True' : 'False'), cond('ContainersReady', ready ? 'True' : 'False')],
    containerStatuses: [
      {
        name: container.name ?? 'operator',
        image: container.image ?? '',
        imageID: '',
        ready,
        started: Boolean(state.running),
        restartCount: p?.restarts ?? 0,
        state,
        lastState: p?.lastExit ? { terminated: p.lastExit } : {},
      },
    ],
  };
}

function differs(pod: KObj, want: KObj['status']): boolean {
  const have = pod.status ?? {};
  for (const c of want.conditions) {
    if ((have.conditions ?? []).find((x: { type: string }) => x.type === c.type)?.status !== c.status) return true;
  }
  const hs = (have.containerStatuses ?? [])[0] ?? {};
  const ws = want.containerStatuses[0];
  return hs.ready !== ws.ready || hs.restartCount !== ws.restartCount || Object.keys(hs.state ?? {})[0] !== Object.keys(ws.state)[0];
}

const pods = new Map<string, KObj>();
let syncing = false;
let again = false;

async function sync(): Promise<void> {
  if (syncing) {
    again = true;
    return;
  }
  syncing = true;
  try {
    do {
      again = false;
      const pod = stopping ? undefined : activePod([...pods.values()]);
      if (!pod) {
        if (proc) await stopProcess();
      } else {
        if (proc && proc.podUid !== pod.metadata.uid) await stopProcess();
        if (!proc) {
          proc = { podUid: pod.metadata.uid ?? '', phase: 'starting', startedAt: now(), restarts: 0 };
          start(proc);
        }
      }
      for (const p of pods.values()) {
        if (p.metadata.deletionTimestamp || !p.spec?.nodeName) continue;
        const want = desiredStatus(p, proc);
        if (!differs(p, want)) continue;
        try {
          const updated = await kube.patch(`${podsPath}/${p.metadata.name}/status`, { status: want }, PatchStrategy.StrategicMergePatch);
          pods.set(updated.metadata.uid ?? '', updated);
        } catch (e) {
          if (!(e instanceof ApiError && (e.status === 404 || e.status === 409))) log(`pod ${p.metadata.name}: status patch failed: ${(e as Error).message}`);
        }
      }
    } while (again);
  } finally {
    syncing = false;
  }
}

/** The operator pods through client-node's informer; the map is ours, to hold our own status writes. */
async function watchPods(): Promise<void> {
  const informer = kube.informer(podsPath, selector);
  const seen = (p: KObj) => {
    pods.set(p.metadata.uid ?? '', p);
    void sync();
  };
  informer.on('add', seen);
  informer.on('update', seen);
  informer.on('delete', (p) => {
    pods.delete(p.metadata.uid ?? '');
    void sync();
  });
  informer.on('error', (e) => {
    log(`pod watch: ${(e as Error).message}; retrying`);
    setTimeout(() => void informer.start(), 1000);
  });
  await informer.start();
}

async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  const wasFor = proc?.podUid;
  await stopProcess();
  for (const p of pods.values()) {
    if (p.metadata.uid !== wasFor) continue;
    try {
      await kube.patch(`${podsPath}/${p.metadata.name}/status`, { status: desiredStatus(p, undefined) }, PatchStrategy.StrategicMergePatch);
    } catch {
      // the apiserver may already be gone
    }
  }
  process.exit(0);
}

process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

(async () => {
  for (let i = 0; ; i++) {
    try {
      await install();
      break;
    } catch (e) {
      if (i >= 30) throw e;
      log(`install: ${(e as Error).message}; retrying`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  log(`installed Deployment ${NAMESPACE}/pgo (PGO ${crds}, ${binary ? `binary ${binary}` : 'model'})`);
  // Periodic pass: catches kwok marking a fresh pod Ready before the process is up.
  setInterval(() => void sync(), 1000);
  await watchPods();
})().catch((e) => {
  log(`fatal: ${(e as Error).message}`);
  process.exit(1);
});
