// A cluster seen whole: its spec next to the objects PGO made for it (owner: checks helper).
// Built once from a Snapshot; status, diff, heal and switchover all read this, never raw lists.
import type { Gap, KObject, Snapshot } from '../model/types.ts';
import { LABEL } from '../model/types.ts';
import { shapeSnapshot } from '../snapshot/shape.ts';
import { memberOf, normaliseRole, parseLsn, type PatroniMember } from './patroni.ts';
import { byName, isPodReady, restartsOf } from './pods.ts';

export interface InstanceView {
  /** Instance name = StatefulSet name (or the name a pgdata PVC remembers when the StatefulSet is gone). */
  name: string;
  set: string;
  statefulSet?: KObject;
  pod?: KObject; // <sts>-0, or any pod labelled with this instance
  pgdata?: KObject;
  pgwal?: KObject;
  /** Patroni role label: 'master' (also 'primary', normalised to 'master') | 'replica' | undefined when not running. */
  role?: 'master' | 'replica';
  ready: boolean;
  phase?: string;
  node?: string;
  /** From the pod's Patroni status annotation. */
  timeline?: number;
  memberState?: string;
  lagBytes?: number;
  restarts: number;
  /** Every pod labelled with this instance (PGO expects exactly one). */
  pods?: KObject[];
  /** Patroni's member JSON from the pod's `status` annotation, parsed. */
  member?: PatroniMember;
}

export interface InstanceSetView {
  name: string;
  desiredReplicas: number;
  instances: InstanceView[]; // those with a StatefulSet
  orphanedPvcs: KObject[]; // pgdata PVCs of this set with no StatefulSet (PGO reuses them)
  /** The set's entry in spec.instances (e.g. walVolumeClaimSpec decides which PVCs PGO reuses). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
}

export interface SwitchoverView {
  enabled: boolean;
  type: 'Switchover' | 'Failover';
  targetInstance?: string;
  /** Value of the trigger-switchover annotation. */
  trigger?: string;
  /** status.patroni.switchover: the trigger last completed. */
  completed?: string;
  /** enabled && trigger set && completed !== trigger */
  pending: boolean;
  /** status.patroni.switchoverTimeline: the timeline PGO saw when it started the pending switchover. */
  timeline?: number;
}

export interface ClusterView {
  namespace: string;
  name: string;
  /** The object's apiVersion as served, e.g. "postgres-operator.crunchydata.com/v1beta1". */
  apiVersion: string;
  object: KObject;
  sets: InstanceSetView[];
  /** Every instance PGO observes (a StatefulSet or a pod carrying the instance label), of any set,
   *  including sets gone from the spec. Instances known only from a PVC are in sets[].orphanedPvcs
   *  and orphanedInstances. */
  instances: InstanceView[];
  /** Instances (StatefulSets or pgdata PVCs) whose set is no longer in the spec. */
  orphanedInstances: InstanceView[];
  switchover: SwitchoverView;
  paused: boolean;
  shutdown: boolean;
  /** Leader named by the <cluster>-ha Endpoints' annotation (a pod name). */
  leader?: string;
  haEndpoints?: KObject;
  repoHost?: KObject; // StatefulSet <cluster>-repo-host
  pgBouncer?: KObject; // Deployment <cluster>-pgbouncer
  backupJobs: KObject[];
  events: KObject[];
  services: KObject[];
  /** The leader's WAL position: the <cluster>-ha `optime` or the leader's own xlog_location, whichever is further. */
  leaderOptime?: number;
  /** Every pod labelled with the cluster (instances, repo host, pgBouncer, Jobs), in name order. */
  pods?: KObject[];
  /** Every PVC labelled with the cluster (pgdata, pgwal, pgBackRest repos), in name order. */
  pvcs?: KObject[];
  /** The snapshot's gaps that cover this cluster's namespace: what was not readable. */
  gaps?: Gap[];
}

interface Group {
  statefulSets: KObject[];
  pods: KObject[];
  pvcs: KObject[];
  endpoints: KObject[];
  services: KObject[];
  deployments: KObject[];
  jobs: KObject[];
  events: KObject[];
}

const emptyGroup = (): Group => ({ statefulSets: [], pods: [], pvcs: [], endpoints: [], services: [], deployments: [], jobs: [], events: [] });

const keyOf = (ns: string | undefined, name: string | undefined) => `${ns ?? ''}/${name ?? ''}`;

/** One pass over the snapshot: every object filed under the cluster its label names. */
function groupByCluster(snap: Snapshot): Map<string, Group> {
  const groups = new Map<string, Group>();
  const at = (k: string) => {
    let g = groups.get(k);
    if (!g) groups.set(k, (g = emptyGroup()));
    return g;
  };
  const file = (list: KObject[] | undefined, field: Exclude<keyof Group, 'events'>) => {
    for (const o of list ?? []) {
      const c = o.metadata?.labels?.[LABEL.cluster];
      if (c) at(keyOf(o.metadata.namespace, c))[field].push(o);
    }
  };
  const o = snap.objects;
  file(o.statefulSets, 'statefulSets');
  file(o.pods, 'pods');
  file(o.pvcs, 'pvcs');
  file(o.endpoints, 'endpoints');
  file(o.services, 'services');
  file(o.deployments, 'deployments');
  file(o.jobs, 'jobs');
  for (const e of o.events ?? []) {
    const io = e.involvedObject ?? e.regarding;
    if (io?.kind === 'PostgresCluster') at(keyOf(io.namespace ?? e.metadata.namespace, io.name)).events.push(e);
  }
  return groups;
}

const setNameAt = (i: number) => String(i).padStart(2, '0');

function creationOrder(a: KObject, b: KObject): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  return ta < tb ? -1 : ta > tb ? 1 : byName(a, b);
}

/** PGO's backup Jobs: manual and replica-create (`<cluster>-backup-xxxx`) and those its CronJobs start. */
function isBackupJob(j: KObject, cluster: string): boolean {
  const l = j.metadata.labels ?? {};
  return `${LABEL.prefix}pgbackrest-backup` in l || `${LABEL.prefix}pgbackrest-cron` in l ||
    j.metadata.name.startsWith(`${cluster}-backup-`);
}

function eventTime(e: KObject): string {
  return e.lastTimestamp ?? e.eventTime ?? e.series?.lastObservedTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? '';
}

function buildOne(pc: KObject, g: Group, snap: Snapshot): ClusterView {
  const name = pc.metadata.name;
  const namespace = pc.metadata.namespace ?? '';
  const spec = pc.spec ?? {};
  const status = pc.status ?? {};

  // Instances as PGO observes them: StatefulSets and pods carrying the instance label.
  const stsByInstance = new Map<string, KObject>();
  for (const s of g.statefulSets) {
    const inst = s.metadata.labels?.[LABEL.instance];
    if (inst) stsByInstance.set(inst, s);
  }
  const podsByInstance = new Map<string, KObject[]>();
  for (const p of g.pods) {
    const inst = p.metadata.labels?.[LABEL.instance];
    if (!inst) continue;
    const list = podsByInstance.get(inst) ?? [];
    list.push(p);
    podsByInstance.set(inst, list);
  }
  const volumes = new Map<string, { pgdata?: KObject; pgwal?: KObject }>();
  for (const v of g.pvcs) {
    const inst = v.metadata.labels?.[LABEL.instance];
    const role = v.metadata.labels?.[LABEL.role];
    if (!inst || (role !== 'pgdata' && role !== 'pgwal')) continue;
    const entry = volumes.get(inst) ?? {};
    entry[role] = v;
    volumes.set(inst, entry);
  }

  const haEndpoints = g.endpoints.find((e) => e.metadata.name === `${name}-ha`);
  const leader = haEndpoints?.metadata.annotations?.leader || undefined;

  const names = [...new Set([...stsByInstance.keys(), ...podsByInstance.keys()])].sort();
  const instances: InstanceView[] = names.map((inst) => {
    const sts = stsByInstance.get(inst);
    const pods = (podsByInstance.get(inst) ?? []).slice().sort(byName);
    const pod = pods.find((p) => p.metadata.name === `${inst}-0`) ?? pods[0];
    const vol = volumes.get(inst) ?? {};
    const member = memberOf(pod);
    const set = sts?.metadata.labels?.[LABEL.instanceSet] ?? pod?.metadata.labels?.[LABEL.instanceSet] ??
      vol.pgdata?.metadata.labels?.[LABEL.instanceSet] ?? '';
    return {
      name: inst,
      set,
      statefulSet: sts,
      pod,
      pods,
      pgdata: vol.pgdata,
      pgwal: vol.pgwal,
      role: normaliseRole(pod?.metadata.labels?.[LABEL.role]),
      ready: isPodReady(pod),
      phase: pod?.status?.phase,
      node: pod?.spec?.nodeName,
      timeline: member?.timeline,
      memberState: member?.state,
      restarts: restartsOf(pod),
      member,
    };
  });

  // Lag: how far each replica's reported position is behind the leader's.
  const leaderInstance = instances.find((i) => i.pod && i.pod.metadata.name === leader) ??
    (instances.filter((i) => i.role === 'master').length === 1 ? instances.find((i) => i.role === 'master') : undefined);
  const positions = [parseLsn(haEndpoints?.metadata.annotations?.optime), leaderInstance?.member?.xlogLocation]
    .filter((n): n is number => n !== undefined);
  const leaderOptime = positions.length ? Math.max(...positions) : undefined;
  for (const i of instances) {
    if (i === leaderInstance || i.role === 'master') continue;
    const at = i.member?.xlogLocation;
    if (leaderOptime !== undefined && at !== undefined) i.lagBytes = Math.max(0, leaderOptime - at);
  }

  const observed = new Set(names);
  const pgdataWithoutInstance = g.pvcs
    .filter((v) => v.metadata.labels?.[LABEL.role] === 'pgdata' && v.metadata.labels?.[LABEL.instance] &&
      !observed.has(v.metadata.labels[LABEL.instance]))
    .sort(byName);

  const specSets: Array<Record<string, unknown>> = Array.isArray(spec.instances) ? spec.instances : [];
  const sets: InstanceSetView[] = specSets.map((s, i) => {
    const setName = typeof s.name === 'string' && s.name ? s.name : setNameAt(i);
    return {
      name: setName,
      desiredReplicas: typeof s.replicas === 'number' ? s.replicas : 1,
      instances: instances.filter((x) => x.set === setName && x.statefulSet),
      orphanedPvcs: pgdataWithoutInstance.filter((v) => v.metadata.labels?.[LABEL.instanceSet] === setName),
      spec: s,
    };
  });
  const setNames = new Set(sets.map((s) => s.name));
  const orphanedInstances: InstanceView[] = [
    ...instances.filter((x) => !setNames.has(x.set)),
    ...pgdataWithoutInstance
      .filter((v) => !setNames.has(v.metadata.labels?.[LABEL.instanceSet] ?? ''))
      .map((v): InstanceView => {
        const inst = v.metadata.labels![LABEL.instance];
        return {
          name: inst,
          set: v.metadata.labels?.[LABEL.instanceSet] ?? '',
          pgdata: v,
          pgwal: volumes.get(inst)?.pgwal,
          ready: false,
          restarts: 0,
        };
      }),
  ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const sw = spec.patroni?.switchover;
  const trigger = pc.metadata.annotations?.[LABEL.triggerSwitchover] || undefined;
  const completed = typeof status.patroni?.switchover === 'string' ? status.patroni.switchover : undefined;
  const enabled = sw?.enabled === true;
  const switchover: SwitchoverView = {
    enabled,
    type: sw?.type === 'Failover' ? 'Failover' : 'Switchover',
    targetInstance: typeof sw?.targetInstance === 'string' && sw.targetInstance ? sw.targetInstance : undefined,
    trigger,
    completed,
    pending: enabled && !!trigger && completed !== trigger,
    timeline: typeof status.patroni?.switchoverTimeline === 'number' ? status.patroni.switchoverTimeline : undefined,
  };

  return {
    namespace,
    name,
    apiVersion: pc.apiVersion ?? '',
    object: pc,
    sets,
    instances,
    orphanedInstances,
    switchover,
    paused: spec.paused === true,
    shutdown: spec.shutdown === true,
    leader,
    haEndpoints,
    repoHost: g.statefulSets.find((s) => s.metadata.name === `${name}-repo-host`),
    pgBouncer: g.deployments.find((d) => d.metadata.name === `${name}-pgbouncer`),
    backupJobs: g.jobs.filter((j) => isBackupJob(j, name)).sort(creationOrder),
    events: g.events.slice().sort((a, b) => (eventTime(a) < eventTime(b) ? -1 : eventTime(a) > eventTime(b) ? 1 : byName(a, b))),
    services: g.services.slice().sort(byName),
    leaderOptime,
    pods: g.pods.slice().sort(byName),
    pvcs: g.pvcs.slice().sort(byName),
    gaps: snap.gaps.filter((gap) => gapTouches(snap, gap, namespace)),
  };
}

/** Whether something the collector could not read may hide objects of a cluster in `namespace`.
 *  A cluster-wide gap in a namespaced snapshot comes from the cluster-wide look for the operator,
 *  not from the cluster's own lists (which were namespaced): it does not touch the cluster. */
export function gapTouches(snap: Snapshot, gap: Gap, namespace: string): boolean {
  if (gap.namespace) return gap.namespace === namespace;
  return snap.scope.allNamespaces;
}

/** Every PostgresCluster of the snapshot, with its objects, in namespace/name order. */
export function buildClusterViews(raw: Snapshot): ClusterView[] {
  const snap = shapeSnapshot(raw);
  const groups = groupByCluster(snap);
  return snap.objects.postgresClusters
    .slice()
    .sort((a, b) => {
      const ka = keyOf(a.metadata.namespace, a.metadata.name);
      const kb = keyOf(b.metadata.namespace, b.metadata.name);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    })
    .map((pc) => buildOne(pc, groups.get(keyOf(pc.metadata.namespace, pc.metadata.name)) ?? emptyGroup(), snap));
}
