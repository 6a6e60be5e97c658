// Tests only: ClusterViews and Findings made by hand, so the heal planner and the switchover
// preflight are tested without the collector or the checks (the contract is lib/view/cluster-view.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, loadAll } from 'js-yaml';
import { LABEL, type ClusterRef, type Finding, type KObject } from '../../lib/model/types.ts';
import type { ClusterView, InstanceView } from '../../lib/view/cluster-view.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = path.resolve(repoRoot, '../shared');

export function yamlFixture(rel: string): KObject {
  return load(readFileSync(path.join(repoRoot, 'test/fixtures', rel), 'utf8')) as KObject;
}

/** The PostgresCluster of a recorded dump from the real operator. */
export function recordedCluster(version: string, file: string): KObject {
  const docs = loadAll(readFileSync(path.join(sharedDir, 'fixtures/pgo', version, 'recorded', file), 'utf8')) as KObject[];
  const items = docs.flatMap((d) => (Array.isArray(d.items) ? (d.items as KObject[]) : [d]));
  const pc = items.find((o) => o.kind === 'PostgresCluster');
  if (!pc) throw new Error(`no PostgresCluster in ${file}`);
  return pc;
}

export function pod(name: string, instance: string, opts: { role?: string; ready?: boolean; phase?: string; status?: Record<string, unknown>; namespace?: string } = {}): KObject {
  const labels: Record<string, string> = { [LABEL.instance]: instance, [LABEL.cluster]: 'hippo' };
  if (opts.role) labels[LABEL.role] = opts.role;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: opts.namespace ?? 'db', labels, annotations: opts.status ? { status: JSON.stringify(opts.status) } : {} },
    status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

export interface InstanceSpec {
  name: string;
  set: string;
  role?: 'master' | 'replica';
  ready?: boolean;
  lagBytes?: number;
  noStatefulSet?: boolean;
  phase?: string;
  memberStatus?: Record<string, unknown>;
}

export function instance(s: InstanceSpec, namespace = 'db'): InstanceView {
  const p = s.noStatefulSet ? undefined : pod(`${s.name}-0`, s.name, { role: s.role, ready: s.ready, phase: s.phase, status: s.memberStatus, namespace });
  return {
    name: s.name,
    set: s.set,
    statefulSet: s.noStatefulSet ? undefined : { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: s.name, namespace } },
    pod: p,
    role: s.role,
    ready: s.ready ?? !s.noStatefulSet,
    phase: s.noStatefulSet ? undefined : (s.phase ?? 'Running'),
    lagBytes: s.lagBytes,
    restarts: 0,
  };
}

export function viewOf(object: KObject, instances: InstanceView[] = [], extra: Partial<ClusterView> = {}): ClusterView {
  const sw = object.spec?.patroni?.switchover ?? {};
  const trigger = object.metadata.annotations?.[LABEL.triggerSwitchover];
  const completed = object.status?.patroni?.switchover;
  const enabled = sw.enabled === true;
  const leaderInst = instances.find((i) => i.role === 'master');
  return {
    namespace: object.metadata.namespace ?? 'db',
    name: object.metadata.name,
    apiVersion: object.apiVersion ?? 'postgres-operator.crunchydata.com/v1beta1',
    object,
    sets: [],
    instances,
    orphanedInstances: [],
    switchover: { enabled, type: sw.type ?? 'Switchover', targetInstance: sw.targetInstance, trigger, completed, pending: enabled && !!trigger && completed !== trigger },
    paused: object.spec?.paused === true,
    shutdown: object.spec?.shutdown === true,
    leader: leaderInst ? `${leaderInst.name}-0` : undefined,
    backupJobs: [],
    events: [],
    services: [],
    ...extra,
  };
}

export function finding(code: string, cluster: ClusterRef | null, extra: Partial<Finding> = {}): Finding {
  return {
    code,
    severity: 'error',
    cluster,
    subject: cluster ? `PostgresCluster/${cluster.name}` : 'Deployment/pgo',
    message: `${code} on ${cluster ? `${cluster.namespace}/${cluster.name}` : 'the operator'}`,
    detail: `detail of ${code}`,
    remedy: `remedy for ${code}`,
    ...extra,
  };
}
