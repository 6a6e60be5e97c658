// The plain data that flows through the engine: kubeconfig -> collect -> Snapshot -> checks
// -> Finding[] -> render | plan. Nothing here talks to the API.
import type { OperatorLog } from '../operator-log/source.ts';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
}

/** Any Kubernetes object as the API returns it (JSON). Fields beyond metadata are read defensively. */
export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  status?: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [key: string]: any;
}

/** Something the collector could not read (forbidden, timed out...). The affected part is Unknown. */
export interface Gap {
  resource: string; // plural, e.g. "pods", "postgresclusters"
  verb: string; // "list" | "get" | "watch"
  namespace?: string; // undefined = cluster-wide
  status?: number; // HTTP status when known
  message: string; // one line, kubectl style
}

export interface SnapshotObjects {
  postgresClusters: KObject[];
  statefulSets: KObject[];
  pods: KObject[];
  pvcs: KObject[];
  endpoints: KObject[];
  services: KObject[];
  deployments: KObject[]; // pgBouncer (role=pgbouncer) and anything else with the cluster label
  jobs: KObject[]; // backup Jobs
  events: KObject[]; // events whose involvedObject is one of the clusters, and PGO's Warning Events about their objects
}

export interface Snapshot {
  schemaVersion: 1;
  takenAt: string; // ISO time the snapshot was taken (the clock of every age computed from it)
  source: { kind: 'api'; context?: string; server?: string } | { kind: 'file'; path: string };
  scope: { allNamespaces: boolean; namespace?: string; cluster?: string };
  pgo: {
    /** PostgresCluster versions served, e.g. ["v1beta1"] or ["v1", "v1beta1"]; preferred first. */
    apiVersions: string[];
    /** app.kubernetes.io/version label of the postgresclusters CRD, when present. */
    crdVersion?: string;
  };
  operator: {
    /** false when the operator could not be looked for (file without it, forbidden). */
    known: boolean;
    /** Deployments whose pod template carries postgres-operator.crunchydata.com/control-plane. */
    deployments: KObject[];
    /** Pods carrying postgres-operator.crunchydata.com/control-plane. */
    pods: KObject[];
  };
  objects: SnapshotObjects;
  gaps: Gap[];
  /** What PGO's own log says (its digest, not its text); undefined: not read (off, a dump without it). */
  operatorLog?: OperatorLog;
  /** Objects, or fields of them, that did not have the shape the engine reads (lib/snapshot/shape.ts). */
  unreadable?: Unreadable[];
}

/** An object the engine could not fully read: which fields were left out, and what they held. */
export interface Unreadable {
  kind: string;
  namespace?: string;
  name?: string;
  /** The PostgresCluster it belongs to (its own name, or its cluster label). */
  cluster?: string;
  /** The Snapshot list it came from, e.g. "pods", "operator.deployments". */
  list: string;
  fields: Array<{ field: string; found: string }>;
  /** Fields beyond those named. */
  more: number;
  /** The whole object was left out (no metadata.name, not an object). */
  dropped: boolean;
}

export type Severity = 'error' | 'warning' | 'info';

export interface ClusterRef {
  namespace: string;
  name: string;
}

export interface Finding {
  /** Stable PascalCase code, e.g. SwitchoverBlocked. */
  code: string;
  severity: Severity;
  /** The cluster it belongs to; null for findings about the operator as a whole. */
  cluster: ClusterRef | null;
  /** kind/name it is about, e.g. "StatefulSet/hippo-instance1-abcd". */
  subject: string;
  /** One specific line: names, numbers. */
  message: string;
  /** Why; which PGO step it stops. */
  detail: string;
  /** What to do, with the exact command a person could paste. */
  remedy: string;
  /** True when PGO cannot converge by itself while this finding holds. */
  blocking?: boolean;
  /** Code of the finding that keeps PGO from fixing this one, when there is one. */
  blockedBy?: string;
  /** Structured facts for machines and planners (names, counts); stable keys per code. */
  data?: Record<string, unknown>;
}

export interface CheckOptions {
  /** ReplicationLag threshold in bytes. */
  maxLagBytes: number;
  /** Expected operator version (from the CRD), overriding snapshot.pgo.crdVersion. */
  now: Date;
  /** How long status.observedGeneration may lag metadata.generation before SpecNotObserved
   *  (--generation-grace; default 2 minutes). */
  specGraceMs?: number;
}

export type Health = 'Healthy' | 'Degraded' | 'Blocked' | 'Unknown';

export const LABEL = {
  prefix: 'postgres-operator.crunchydata.com/',
  cluster: 'postgres-operator.crunchydata.com/cluster',
  instanceSet: 'postgres-operator.crunchydata.com/instance-set',
  instance: 'postgres-operator.crunchydata.com/instance',
  data: 'postgres-operator.crunchydata.com/data',
  role: 'postgres-operator.crunchydata.com/role',
  patroni: 'postgres-operator.crunchydata.com/patroni',
  controlPlane: 'postgres-operator.crunchydata.com/control-plane',
  pgbackrest: 'postgres-operator.crunchydata.com/pgbackrest',
  pgbackrestDedicated: 'postgres-operator.crunchydata.com/pgbackrest-dedicated',
  triggerSwitchover: 'postgres-operator.crunchydata.com/trigger-switchover',
  authorizeBackupRemoval: 'postgres-operator.crunchydata.com/authorizeBackupRemoval',
} as const;
