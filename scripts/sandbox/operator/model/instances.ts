// What PGO observes about a cluster's instances (StatefulSets plus pods, grouped by the instance
// label), the status it derives from them, and how it names the instances a set is short of.
import type { KObj } from '../../kube/types.ts';
import { LABEL, ROLE_MASTER, names } from './naming.ts';
import type { ClusterSpec, InstanceSetSpec } from './spec.ts';

export interface Instance {
  name: string;
  set: string;
  runner?: KObj;
  pods: KObj[];
  spec?: InstanceSetSpec;
}

export interface Observed {
  byName: Map<string, Instance>;
  bySet: Map<string, Instance[]>;
  forCluster: Instance[];
  setNames: Set<string>;
}

/** Runners first (in list order), then pods that have no runner, as newObservedInstances does. */
export function observeInstances(c: ClusterSpec, runners: KObj[], pods: KObj[]): Observed {
  const o: Observed = { byName: new Map(), bySet: new Map(), forCluster: [], setNames: new Set(c.instances.map((s) => s.name)) };
  const specs = new Map(c.instances.map((s) => [s.name, s]));
  const add = (inst: Instance) => {
    o.byName.set(inst.name, inst);
    o.bySet.set(inst.set, [...(o.bySet.get(inst.set) ?? []), inst]);
    o.forCluster.push(inst);
    o.setNames.add(inst.set);
  };
  for (const r of runners) {
    const set = r.metadata.labels?.[LABEL.instanceSet] ?? '';
    add({ name: r.metadata.name, set, runner: r, pods: [], spec: specs.get(set) });
  }
  for (const p of pods) {
    const name = p.metadata.labels?.[LABEL.instance] ?? '';
    const set = p.metadata.labels?.[LABEL.instanceSet] ?? '';
    let inst = o.byName.get(name);
    if (!inst) {
      inst = { name, set, pods: [], spec: specs.get(set) };
      add(inst);
    }
    inst.pods.push(p);
  }
  return o;
}

export function isPrimary(i: Instance): boolean | undefined {
  if (i.pods.length !== 1) return undefined;
  return i.pods[0].metadata.labels?.[LABEL.role] === ROLE_MASTER;
}

export function isReady(i: Instance): boolean | undefined {
  if (i.pods.length !== 1) return undefined;
  const c = (i.pods[0].status?.conditions ?? []).find((x: { type: string }) => x.type === 'Ready');
  return c ? c.status === 'True' : undefined;
}

export function isRunning(i: Instance, container: string): boolean | undefined {
  if (i.pods.length !== 1) return undefined;
  const st = i.pods[0].status ?? {};
  for (const list of [st.containerStatuses ?? [], st.initContainerStatuses ?? []]) {
    const s = list.find((x: { name: string }) => x.name === container);
    if (s) return s.state?.running !== undefined && s.state?.running !== null;
  }
  return undefined;
}

export function isTerminating(i: Instance): boolean | undefined {
  if (i.pods.length !== 1) return undefined;
  return Boolean(i.pods[0].metadata.deletionTimestamp);
}

export function podMatchesTemplate(i: Instance): boolean | undefined {
  if (!i.runner || i.pods.length !== 1) return undefined;
  if ((i.runner.status?.observedGeneration ?? 0) !== i.runner.metadata.generation) return undefined;
  return i.pods[0].metadata.labels?.['controller-revision-hash'] === i.runner.status?.updateRevision;
}

export interface InstanceSetStatus {
  name: string;
  replicas?: number;
  readyReplicas?: number;
  updatedReplicas?: number;
}

/** status.instances: every observed set name, sorted, zero counts omitted (Go omitempty). */
export function instanceSetStatuses(o: Observed): InstanceSetStatus[] {
  return [...o.setNames].sort().map((name) => {
    let replicas = 0;
    let ready = 0;
    let updated = 0;
    for (const i of o.bySet.get(name) ?? []) {
      replicas += i.pods.length;
      if (isReady(i) === true) ready++;
      if (podMatchesTemplate(i) === true) updated++;
    }
    const s: InstanceSetStatus = { name };
    if (replicas) s.replicas = replicas;
    if (ready) s.readyReplicas = ready;
    if (updated) s.updatedReplicas = updated;
    return s;
  });
}

/** Instance names of this set whose pgdata PVC has no StatefulSet: reused before new names. */
export function availableInstanceNames(set: InstanceSetSpec, o: Observed, volumes: KObj[]): string[] {
  let setVolumes = volumes.filter(
    (v) => !v.metadata.deletionTimestamp && v.metadata.labels?.[LABEL.role] === 'pgdata' && v.metadata.labels?.[LABEL.instanceSet] === set.name,
  );
  if (set.walVolumeClaimSpec) {
    setVolumes = setVolumes.filter((d) =>
      volumes.some(
        (w) =>
          !w.metadata.deletionTimestamp &&
          w.metadata.labels?.[LABEL.role] === 'pgwal' &&
          w.metadata.labels?.[LABEL.instanceSet] === set.name &&
          w.metadata.labels?.[LABEL.instance] === d.metadata.labels?.[LABEL.instance],
      ),
    );
  }
  const out: string[] = [];
  for (const v of setVolumes) {
    const name = v.metadata.labels?.[LABEL.instance] ?? '';
    const inst = o.byName.get(name);
    if (!inst || !inst.runner) out.push(name);
  }
  return out;
}

/** The instance names a set should have: its runners, then reused names, then new random ones. */
export function desiredInstanceNames(c: ClusterSpec, set: InstanceSetSpec, o: Observed, volumes: KObj[], rand?: (max: number) => number): string[] {
  const have = (o.bySet.get(set.name) ?? []).filter((i) => i.runner).map((i) => i.name);
  const taken = new Set(have);
  const available = availableInstanceNames(set, o, volumes);
  const out = [...have];
  while (out.length < set.replicas) {
    let next = available.shift();
    if (next === undefined) {
      do next = names.generateInstance(c.name, set.name, rand);
      while (taken.has(next));
    }
    taken.add(next);
    out.push(next);
  }
  return out;
}

/** Instances to delete when sets shrink or disappear: keep the primary, then others in order. */
export function instancesToDelete(c: ClusterSpec, o: Observed): string[] {
  const want = new Map(c.instances.map((s) => [s.name, s.replicas]));
  const pods = o.forCluster.flatMap((i) => i.pods);
  const keep = new Set<string>();
  for (const [set, n] of want) {
    const list = pods.filter((p) => p.metadata.labels?.[LABEL.instanceSet] === set);
    const kept: KObj[] = [];
    if (n > 0) kept.push(...list.filter((p) => p.metadata.labels?.[LABEL.role] === ROLE_MASTER));
    for (const p of list) if (p.metadata.labels?.[LABEL.role] !== ROLE_MASTER && kept.length < n) kept.push(p);
    for (const p of kept) keep.add(p.metadata.labels?.[LABEL.instance] ?? '');
  }
  const del: string[] = [];
  for (const i of o.forCluster) for (const p of i.pods) {
    const name = p.metadata.labels?.[LABEL.instance] ?? '';
    if (!keep.has(name) && !del.includes(name)) del.push(name);
  }
  return del;
}
