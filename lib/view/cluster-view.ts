// A cluster seen whole: its spec next to the objects PGO made for it (owner: checks helper).
// Built once from a Snapshot; status, diff, heal and switchover all read this, never raw lists.
import type { KObject } from '../model/types.ts';

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
}

export interface InstanceSetView {
  name: string;
  desiredReplicas: number;
  instances: InstanceView[]; // those with a StatefulSet
  orphanedPvcs: KObject[]; // pgdata PVCs of this set with no StatefulSet (PGO reuses them)
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
}

export interface ClusterView {
  namespace: string;
  name: string;
  apiVersion: string;
  object: KObject;
  sets: InstanceSetView[];
  /** Every instance of the cluster, including those of sets gone from the spec. */
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
}

export function buildClusterViews(_snap: import('../model/types.ts').Snapshot): ClusterView[] {
  throw new Error('buildClusterViews: not implemented yet');
}
