// The StatusReport: what `status -o json|yaml` prints and what every human renderer reads.
// It is a documented, versioned interface (README "## JSON schema"): add optional fields freely,
// but renaming or removing one needs a new apiVersion.
import type { Health, Severity } from '../model/types.ts';
import type { ExplainStatus } from '../explain/explain.ts';

export const STATUS_REPORT_API_VERSION = 'kubectl-pgo.crunchy-tools.dev/v1alpha1';
export const STATUS_REPORT_KIND = 'StatusReport';

export interface StatusReport {
  apiVersion: typeof STATUS_REPORT_API_VERSION;
  kind: typeof STATUS_REPORT_KIND;
  /** When this report was made (wall clock). */
  generatedAt: string;
  /** When the objects were read (the snapshot's clock; every age below is relative to it). */
  observedAt: string;
  source: ReportSource;
  scope: { allNamespaces: boolean; namespace: string | null; cluster: string | null };
  summary: ReportSummary;
  operator: OperatorStatus;
  clusters: ClusterStatus[];
  /** Findings about no single cluster and not about the operator (e.g. a cluster-wide list forbidden). */
  findings: ReportFinding[];
  /** Parts that could not be read; what they touch is reported as unknown (null). */
  gaps: ReportGap[];
}

export type ReportSource = { kind: 'api'; context: string | null; server: string | null } | { kind: 'file'; path: string };

export interface ReportSummary {
  clusters: number;
  healthy: number;
  degraded: number;
  blocked: number;
  unknown: number;
  /** Findings of severity error: clusters', the operator's and the general ones together. Exit code 2 when > 0. */
  errors: number;
  warnings: number;
  infos: number;
}

export interface OperatorStatus {
  /** false when the operator could not be looked for (a dump without it, or forbidden). */
  known: boolean;
  /** The operator Deployment ("pgo"); null when none was found or it is unknown. */
  deployment: { namespace: string; name: string; desired: number; ready: number } | null;
  /** app.kubernetes.io/version of the Deployment, else the image tag of its first container. */
  version: string | null;
  /** Version the postgresclusters CRD declares (app.kubernetes.io/version), when present. */
  crdVersion: string | null;
  /** PostgresCluster API versions served, preferred first. */
  apiVersions: string[];
  /** Findings about the operator as a whole (codes Operator*: OperatorMissing, ...). */
  findings: ReportFinding[];
  /** PGO's own log as read for this report; null when not read (--operator-log=off, a dump
   *  without a *.log file, or get pods/log forbidden: see gaps). */
  log: OperatorLogStatus | null;
}

export interface OperatorLogStatus {
  /** One per operator pod read (or per log file of a --from dump). */
  sources: OperatorLogSourceStatus[];
}

export interface OperatorLogSourceStatus {
  /** "namespace/name" of the operator pod, or null for a file. */
  pod: string | null;
  container: string | null;
  file: string | null;
  /** What the pods/log GET asked for (null for a file): the newest tailLines lines of the last
   *  sinceSeconds, at most limitBytes. */
  sinceSeconds: number | null;
  tailLines: number | null;
  limitBytes: number | null;
  bytes: number;
  /** PGO's lines read, and the times of the oldest and newest: how far back the log was read. */
  lines: number;
  from: string | null;
  to: string | null;
  /** The read stopped at limitBytes, so lines newer than `to` may be missing. */
  truncated: boolean;
  /** Debug lines seen (CRUNCHY_DEBUG=true): successful reconciles are visible, so an error can be known to be over. */
  debug: boolean;
  /** "Reconciler error" lines about PostgresClusters in it. */
  reconcileErrors: number;
}

export interface ClusterStatus {
  namespace: string;
  name: string;
  /** e.g. postgres-operator.crunchydata.com/v1beta1 */
  apiVersion: string;
  /** Healthy | Degraded | Blocked (PGO cannot converge by itself) | Unknown */
  health: Health;
  createdAt: string | null;
  ageSeconds: number | null;
  paused: boolean;
  shutdown: boolean;
  /** Instance counts over the sets in the spec. ready is null when pods could not be read. */
  replicas: { desired: number; observed: number | null; ready: number | null };
  sets: InstanceSetStatus[];
  instances: InstanceStatus[];
  /** Pod name of the Patroni primary by pod role label; null when none or unknown. */
  primary: string | null;
  /** Pod name in the <cluster>-ha Endpoints' leader annotation; null when none or unknown. */
  leader: string | null;
  switchover: SwitchoverStatus;
  backups: BackupStatus;
  pgBouncer: PgBouncerStatus;
  /** Most severe first. */
  findings: ReportFinding[];
  /** Resources (plural names) that could not be read for this cluster's namespace. */
  unknown: string[];
  /** With `status CLUSTER --explain` only: PGO's reconcile pipeline for this cluster (lib/explain). */
  explain?: ExplainStatus;
}

export interface InstanceSetStatus {
  name: string;
  desired: number;
  /** Instance StatefulSets that exist; null when StatefulSets could not be read. */
  observed: number | null;
  ready: number | null;
  /** pgdata PVCs of this set with no StatefulSet: PGO reuses them when it recreates an instance. */
  orphanedPvcs: string[];
}

export interface InstanceStatus {
  /** Instance name = StatefulSet name. */
  name: string;
  set: string;
  /** false for instances whose set is gone from the spec (orphans). */
  inSpec: boolean;
  statefulSet: boolean;
  pod: string | null;
  /** Patroni role from the pod label: primary (label master or primary) | replica | null. */
  role: 'primary' | 'replica' | null;
  /** null when pods could not be read. */
  ready: boolean | null;
  phase: string | null;
  node: string | null;
  timeline: number | null;
  memberState: string | null;
  lagBytes: number | null;
  restarts: number | null;
  pgdata: string | null;
  pgwal: string | null;
}

export type SwitchoverState = 'Off' | 'Armed' | 'Pending' | 'Blocked' | 'LeftEnabled';

export interface SwitchoverStatus {
  /**
   * Off: spec.patroni.switchover not enabled. Armed: enabled, no trigger annotation yet.
   * Pending: requested and not completed. Blocked: pending and PGO's switchover step will fail
   * (SwitchoverBlocked). LeftEnabled: completed but still enabled with the trigger still set.
   */
  state: SwitchoverState;
  enabled: boolean;
  type: 'Switchover' | 'Failover';
  targetInstance: string | null;
  trigger: string | null;
  completed: string | null;
  pending: boolean;
}

export interface BackupStatus {
  configured: boolean;
  repoHost: { name: string; ready: boolean | null } | null;
  repos: Array<{ name: string; stanzaCreated: boolean | null }>;
  /** The most recent backup Job; null when none (or Jobs could not be read: see unknown). */
  latestJob: { name: string; state: 'Succeeded' | 'Failed' | 'Running'; startedAt: string | null; ageSeconds: number | null } | null;
  jobs: number | null;
}

export interface PgBouncerStatus {
  configured: boolean;
  deployment: string | null;
  desired: number | null;
  ready: number | null;
}

export interface ReportFinding {
  code: string;
  severity: Severity;
  /** kind/name it is about. */
  subject: string;
  message: string;
  detail: string;
  /** What to do; command lines in it are meant to be pasted as they are. */
  remedy: string;
  /** PGO cannot converge by itself while this holds. */
  blocking: boolean;
  /** Code of the finding that keeps PGO from fixing this one. */
  blockedBy: string | null;
  data?: Record<string, unknown>;
}

export interface ReportGap {
  verb: string;
  resource: string;
  /** null: cluster-wide. */
  namespace: string | null;
  status: number | null;
  reason: string;
  message: string;
  /** The RBAC rule that is missing, e.g. "list pods" or "list statefulsets.apps". */
  permission: string;
}
