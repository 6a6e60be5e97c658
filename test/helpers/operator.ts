// Tests only: the recorded PGO fixtures, a field-path diff for the operator model's conformance
// test, and helpers for the operator end-to-end suite (model by default, or the binary named by
// SANDBOX_OPERATOR).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { repoRoot } from './kubectl.ts';
import { api, apiOk, describeRun, kubectl, kubectlPgo, sandboxDir, waitFor } from './sandbox.ts';

export const sharedDir = path.resolve(repoRoot, '../shared');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = any;

/** The items of a recorded `kubectl get ... -o yaml` List under ../shared/fixtures/pgo/<version>/recorded/. */
export function recorded(version: 'v5.8.9' | 'v6.0.3', file: string): Obj[] {
  const doc = load(readFileSync(path.join(sharedDir, 'fixtures/pgo', version, 'recorded', file), 'utf8')) as Obj;
  return doc.items ?? [];
}

export function find(items: Obj[], kind: string, name: string): Obj {
  const o = items.find((i) => i.kind === kind && i.metadata?.name === name);
  if (!o) throw new Error(`recorded ${kind}/${name} not found`);
  return o;
}

// ---------------------------------------------------------------------------------------------
// Field-path diff. Lists whose items are objects with a unique "name" (containers, env, volumes,
// ports, volumeMounts...) are matched by name and shown as list[name]; other lists by index.

export interface Difference {
  path: string;
  recorded: unknown;
  model: unknown;
}

function keyed(list: unknown[]): Map<string, unknown> | undefined {
  if (!list.every((x) => x !== null && typeof x === 'object' && typeof (x as Obj).name === 'string')) return undefined;
  const m = new Map<string, unknown>();
  for (const x of list) {
    const k = (x as Obj).name as string;
    if (m.has(k)) return undefined;
    m.set(k, x);
  }
  return m;
}

export function diff(recordedValue: unknown, modelValue: unknown, at = ''): Difference[] {
  const out: Difference[] = [];
  const isObj = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  // A whole missing map or list is reported field by field, so allowances can name leaves.
  if (recordedValue === undefined && (isObj(modelValue) || Array.isArray(modelValue))) recordedValue = Array.isArray(modelValue) ? [] : {};
  if (modelValue === undefined && (isObj(recordedValue) || Array.isArray(recordedValue))) modelValue = Array.isArray(recordedValue) ? [] : {};
  if (Array.isArray(recordedValue) && Array.isArray(modelValue)) {
    const a = keyed(recordedValue);
    const b = keyed(modelValue);
    if (a && b) {
      for (const k of new Set([...a.keys(), ...b.keys()])) out.push(...diff(a.get(k), b.get(k), `${at}[${k}]`));
      return out;
    }
    const n = Math.max(recordedValue.length, modelValue.length);
    for (let i = 0; i < n; i++) out.push(...diff(recordedValue[i], modelValue[i], `${at}[${i}]`));
    return out;
  }
  if (isObj(recordedValue) && isObj(modelValue)) {
    const r = recordedValue as Obj;
    const m = modelValue as Obj;
    for (const k of new Set([...Object.keys(r), ...Object.keys(m)])) out.push(...diff(r[k], m[k], at ? `${at}.${k}` : k));
    return out;
  }
  if (JSON.stringify(recordedValue) !== JSON.stringify(modelValue)) out.push({ path: at, recorded: recordedValue, model: modelValue });
  return out;
}

/** Differences whose path matches none of the patterns (each anchored at both ends). */
export function unexplained(diffs: Difference[], allowed: RegExp[]): Difference[] {
  return diffs.filter((d) => !allowed.some((re) => re.test(d.path)));
}

export function describe(diffs: Difference[]): string {
  return diffs.map((d) => `  ${d.path}: recorded ${JSON.stringify(d.recorded)} model ${JSON.stringify(d.model)}`).join('\n');
}

// ---------------------------------------------------------------------------------------------
// End to end: the operator in the sandbox (model, or SANDBOX_OPERATOR=PATH).

export const operatorLogFile = path.join(sandboxDir, 'operator.log');
export const operatorKind = () => (process.env.SANDBOX_OPERATOR ? `binary ${process.env.SANDBOX_OPERATOR}` : 'model');
export const PGC = '/apis/postgres-operator.crunchydata.com/v1beta1';
export const ROLE = 'postgres-operator.crunchydata.com/role';
export const TRIGGER = 'postgres-operator.crunchydata.com/trigger-switchover';

export function operatorLog(): string {
  return existsSync(operatorLogFile) ? readFileSync(operatorLogFile, 'utf8') : '';
}

/** The operator Deployment's pods with their Ready condition. */
export async function operatorPods(): Promise<Array<{ name: string; ready: boolean; restarts: number; deleting: boolean }>> {
  const list = await apiOk('GET', '/api/v1/namespaces/postgres-operator/pods?labelSelector=postgres-operator.crunchydata.com%2Fcontrol-plane%3Dpostgres-operator');
  return (list.items ?? []).map((p: Obj) => ({
    name: p.metadata.name,
    ready: (p.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True'),
    restarts: p.status?.containerStatuses?.[0]?.restartCount ?? 0,
    deleting: Boolean(p.metadata.deletionTimestamp),
  }));
}

/** The pid of the operator process the supervisor runs, or undefined. */
export function operatorPid(): number | undefined {
  const f = path.join(sandboxDir, 'run', 'operator.pid');
  if (!existsSync(f)) return undefined;
  const pid = Number(readFileSync(f, 'utf8').trim());
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Fails with a clear message unless `npm run sandbox -- up --operator` has been run. */
export async function requireOperator(): Promise<void> {
  await waitFor('the operator pod to be Ready (run `npm run sandbox -- up --operator` first)', async () => (await operatorPods()).some((p) => p.ready && !p.deleting), {
    timeoutMs: 60_000,
  });
}

export function clusterManifest(namespace: string, name: string): Obj {
  const volume = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } };
  return {
    apiVersion: 'postgres-operator.crunchydata.com/v1beta1',
    kind: 'PostgresCluster',
    metadata: { name, namespace },
    spec: {
      postgresVersion: 16,
      backups: { pgbackrest: { repos: [{ name: 'repo1', volume: { volumeClaimSpec: volume } }] } },
      instances: [
        { name: 'instance1', replicas: 1, dataVolumeClaimSpec: volume },
        { name: 'instance2', replicas: 1, dataVolumeClaimSpec: volume },
      ],
    },
  };
}

export interface InstanceView {
  name: string;
  set: string;
  stsUid?: string;
  pod?: string;
  role?: string;
  ready: boolean;
}

/** Instance StatefulSets and their pods, by instance name. */
export async function instanceViews(namespace: string, cluster: string): Promise<Map<string, InstanceView>> {
  const sel = encodeURIComponent(`postgres-operator.crunchydata.com/cluster=${cluster},postgres-operator.crunchydata.com/instance`);
  const [sts, pods] = await Promise.all([
    apiOk('GET', `/apis/apps/v1/namespaces/${namespace}/statefulsets?labelSelector=${sel}`),
    apiOk('GET', `/api/v1/namespaces/${namespace}/pods?labelSelector=${sel}`),
  ]);
  const out = new Map<string, InstanceView>();
  for (const s of sts.items ?? []) {
    out.set(s.metadata.name, { name: s.metadata.name, set: s.metadata.labels['postgres-operator.crunchydata.com/instance-set'], stsUid: s.metadata.uid, ready: false });
  }
  for (const p of pods.items ?? []) {
    const name = p.metadata.labels['postgres-operator.crunchydata.com/instance'];
    const v: InstanceView = out.get(name) ?? { name, set: p.metadata.labels['postgres-operator.crunchydata.com/instance-set'], ready: false };
    v.pod = p.metadata.name;
    v.role = p.metadata.labels[ROLE];
    v.ready = !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
    out.set(name, v);
  }
  return out;
}

export async function pvcUid(namespace: string, name: string): Promise<string | undefined> {
  const r = await api('GET', `/api/v1/namespaces/${namespace}/persistentvolumeclaims/${name}`);
  return r.status === 200 ? (r.body as Obj).metadata.uid : undefined;
}

export async function getCluster(namespace: string, name: string): Promise<Obj> {
  return apiOk('GET', `${PGC}/namespaces/${namespace}/postgresclusters/${name}`);
}

export async function patchCluster(namespace: string, name: string, patch: Obj, type: 'merge' | 'json' = 'merge'): Promise<Obj> {
  return apiOk('PATCH', `${PGC}/namespaces/${namespace}/postgresclusters/${name}`, patch, {
    contentType: type === 'merge' ? 'application/merge-patch+json' : 'application/json-patch+json',
  });
}

/** `patronictl list -f json` in a pod's database container (through kubectl exec). */
export async function patroniMembers(namespace: string, pod: string): Promise<Array<{ Member: string; Role: string; State: string; TL?: number }>> {
  const r = await kubectl(['exec', '-n', namespace, pod, '-c', 'database', '--', 'patronictl', 'list', '--format', 'json']);
  if (r.code !== 0) throw new Error(`patronictl list in ${pod}: exit ${r.code}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout);
}

/** Waits for two instances, one primary (role master) and one replica, both Ready. */
export async function waitHealthy(namespace: string, cluster: string, timeoutMs = 240_000): Promise<{ primary: InstanceView; replica: InstanceView }> {
  return waitFor(
    `${namespace}/${cluster}: two Ready instances, one master`,
    async () => {
      const v = [...(await instanceViews(namespace, cluster)).values()];
      const primary = v.filter((i) => i.stsUid && i.ready && (i.role === 'master' || i.role === 'primary'));
      const replica = v.filter((i) => i.stsUid && i.ready && i.role === 'replica');
      return v.length === 2 && primary.length === 1 && replica.length === 1 ? { primary: primary[0], replica: replica[0] } : undefined;
    },
    { timeoutMs, intervalMs: 500 },
  );
}

/**
 * Waits until `kubectl pgo status` says `want` for the cluster: it reads what the operator writes
 * (status, events, conditions) on its own schedule, so one read right after a change proves nothing.
 * The timeout's message carries the last health, finding codes and output.
 */
export async function waitStatusHealth(namespace: string, cluster: string, want: string, timeoutMs = 60_000): Promise<void> {
  let last = '';
  await waitFor(`kubectl pgo status to say ${want}`, async () => {
    const r = await kubectlPgo(['status', cluster, '-n', namespace, '-o', 'json']);
    const c = JSON.parse(r.stdout).clusters.find((x: Obj) => x.name === cluster);
    last = `health ${c?.health}, findings ${c?.findings.map((f: Obj) => f.code).join(',') || 'none'}\n${describeRun('kubectl pgo status', r)}`;
    return c?.health === want;
  }, { timeoutMs, intervalMs: 1000 }).catch((e: Error) => {
    throw new Error(`${e.message}\n${last}`);
  });
}
