// Snapshot + cluster views + findings -> StatusReport. Pure: the clock and the health rule are
// passed in. Every renderer (table, wide, detail, JSON, YAML) reads only the report, so all
// formats show the same facts.
import type { ClusterRef, Finding, Health, KObject, Severity, Snapshot } from '../model/types.ts';
import type { ClusterView, InstanceView } from '../view/cluster-view.ts';
import { findingsAbout } from '../model/by-cluster.ts';
import { shapeSnapshot } from '../snapshot/shape.ts';
import { gapTouches, reportGap } from './gaps.ts';
import {
  STATUS_REPORT_API_VERSION,
  STATUS_REPORT_KIND,
  type BackupStatus,
  type ClusterStatus,
  type InstanceSetStatus,
  type InstanceStatus,
  type OperatorLogStatus,
  type OperatorStatus,
  type PgBouncerStatus,
  type ReportFinding,
  type ReportGap,
  type ReportSource,
  type StatusReport,
  type SwitchoverStatus,
} from './schema.ts';

export interface ReportInput {
  snapshot: Snapshot;
  views: ClusterView[];
  findings: Finding[];
  /** The health rule (lib/checks healthOf), injected so the report stays a pure function. */
  health: (ref: ClusterRef) => Health;
  /** Wall clock for generatedAt. Ages use the snapshot's takenAt. */
  now: Date;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Most severe first; within a severity, root causes before the findings they block. Stable. */
export function sortFindings(findings: ReportFinding[]): ReportFinding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => RANK[a.f.severity] - RANK[b.f.severity] || Number(a.f.blockedBy !== null) - Number(b.f.blockedBy !== null) || Number(b.f.blocking) - Number(a.f.blocking) || a.i - b.i)
    .map((x) => x.f);
}

export function reportFinding(f: Finding): ReportFinding {
  const out: ReportFinding = {
    code: f.code,
    severity: f.severity,
    subject: f.subject,
    message: f.message,
    detail: f.detail,
    remedy: f.remedy,
    blocking: Boolean(f.blocking),
    blockedBy: f.blockedBy ?? null,
  };
  if (f.data && Object.keys(f.data).length > 0) out.data = f.data;
  return out;
}

function secondsBetween(from: string | undefined, clock: number): number | null {
  if (!from) return null;
  const t = Date.parse(from);
  if (Number.isNaN(t) || Number.isNaN(clock)) return null;
  return Math.floor((clock - t) / 1000);
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

function source(snap: Snapshot): ReportSource {
  const s = snap.source;
  return s.kind === 'file' ? { kind: 'file', path: s.path } : { kind: 'api', context: s.context ?? null, server: s.server ?? null };
}

function operatorOf(snap: Snapshot, findings: Finding[]): OperatorStatus {
  const dep = snap.operator.deployments[0];
  let version: string | null = null;
  let deployment: OperatorStatus['deployment'] = null;
  if (dep) {
    version = dep.metadata.labels?.['app.kubernetes.io/version'] ?? imageTag(dep) ?? null;
    deployment = {
      namespace: dep.metadata.namespace ?? '',
      name: dep.metadata.name,
      desired: num(dep.spec?.replicas, 1),
      ready: num(dep.status?.readyReplicas, 0),
    };
  }
  return {
    known: snap.operator.known,
    deployment,
    version,
    crdVersion: snap.pgo.crdVersion ?? null,
    apiVersions: [...snap.pgo.apiVersions],
    findings: sortFindings(findings.filter((f) => f.cluster === null && isOperatorFinding(f)).map(reportFinding)),
    log: operatorLogOf(snap),
  };
}

function operatorLogOf(snap: Snapshot): OperatorLogStatus | null {
  if (!snap.operatorLog) return null;
  return {
    sources: snap.operatorLog.sources.map((s) => ({
      pod: s.pod ? `${s.pod.namespace}/${s.pod.name}` : null,
      container: s.pod?.container ?? null,
      file: s.file,
      sinceSeconds: s.window?.sinceSeconds ?? null,
      tailLines: s.window?.tailLines ?? null,
      limitBytes: s.window?.limitBytes ?? null,
      bytes: s.bytes,
      lines: s.digest.pgoLines,
      from: s.digest.firstTime,
      to: s.digest.lastTime,
      truncated: s.truncated,
      debug: s.digest.debug,
      reconcileErrors: s.digest.errors.reduce((n, g) => n + g.count, 0),
    })),
  };
}

const isOperatorFinding = (f: Finding) => f.code.startsWith('Operator');

function imageTag(dep: KObject): string | undefined {
  const image: unknown = dep.spec?.template?.spec?.containers?.[0]?.image;
  if (typeof image !== 'string') return undefined;
  const at = image.split('@')[0];
  const slash = at.lastIndexOf('/');
  const colon = at.lastIndexOf(':');
  return colon > slash ? at.slice(colon + 1) : undefined;
}

function instanceOf(iv: InstanceView, inSpec: boolean, podsKnown: boolean): InstanceStatus {
  return {
    name: iv.name,
    set: iv.set,
    inSpec,
    statefulSet: Boolean(iv.statefulSet),
    pod: iv.pod?.metadata.name ?? null,
    role: !podsKnown || !iv.role ? null : iv.role === 'master' ? 'primary' : 'replica',
    ready: podsKnown ? Boolean(iv.ready) : null,
    phase: iv.phase ?? iv.pod?.status?.phase ?? null,
    node: iv.node ?? iv.pod?.spec?.nodeName ?? null,
    timeline: iv.timeline ?? null,
    memberState: iv.memberState ?? null,
    lagBytes: iv.lagBytes ?? null,
    restarts: podsKnown && iv.pod ? num(iv.restarts, 0) : null,
    pgdata: iv.pgdata?.metadata.name ?? null,
    pgwal: iv.pgwal?.metadata.name ?? null,
  };
}

function switchoverOf(v: ClusterView, findings: ReportFinding[]): SwitchoverStatus {
  const s = v.switchover;
  const blocked = findings.some((f) => f.code === 'SwitchoverBlocked');
  const state: SwitchoverStatus['state'] = !s.enabled
    ? 'Off'
    : s.pending
      ? blocked
        ? 'Blocked'
        : 'Pending'
      : s.trigger
        ? 'LeftEnabled'
        : 'Armed';
  return {
    state,
    enabled: s.enabled,
    type: s.type,
    targetInstance: s.targetInstance ?? null,
    trigger: s.trigger ?? null,
    completed: s.completed ?? null,
    pending: s.pending,
  };
}

function jobState(job: KObject): 'Succeeded' | 'Failed' | 'Running' {
  const conds: Array<{ type?: string; status?: string }> = job.status?.conditions ?? [];
  if (conds.some((c) => c.type === 'Complete' && c.status === 'True')) return 'Succeeded';
  if (conds.some((c) => c.type === 'Failed' && c.status === 'True')) return 'Failed';
  if (num(job.status?.succeeded, 0) > 0) return 'Succeeded';
  if (num(job.status?.failed, 0) > 0 && num(job.status?.active, 0) === 0) return 'Failed';
  return 'Running';
}

function jobStart(job: KObject): string | undefined {
  return job.status?.startTime ?? job.metadata.creationTimestamp;
}

function backupsOf(v: ClusterView, unknown: Set<string>, clock: number): BackupStatus {
  const spec = v.object.spec?.backups?.pgbackrest;
  const statusRepos: Array<{ name?: string; stanzaCreated?: boolean }> = v.object.status?.pgbackrest?.repos ?? [];
  const specRepos: Array<{ name?: string }> = spec?.repos ?? [];
  const repos = specRepos
    .filter((r) => typeof r.name === 'string')
    .map((r) => {
      const st = statusRepos.find((s) => s.name === r.name);
      return { name: r.name as string, stanzaCreated: typeof st?.stanzaCreated === 'boolean' ? st.stanzaCreated : null };
    });
  let repoHost: BackupStatus['repoHost'] = null;
  if (v.repoHost) {
    const desired = num(v.repoHost.spec?.replicas, 1);
    repoHost = { name: v.repoHost.metadata.name, ready: num(v.repoHost.status?.readyReplicas, 0) >= desired };
  }
  const jobsKnown = !unknown.has('jobs');
  const sorted = [...v.backupJobs].sort((a, b) => (Date.parse(jobStart(b) ?? '') || 0) - (Date.parse(jobStart(a) ?? '') || 0));
  const latest = jobsKnown ? sorted[0] : undefined;
  return {
    configured: Boolean(spec),
    repoHost,
    repos,
    latestJob: latest
      ? { name: latest.metadata.name, state: jobState(latest), startedAt: jobStart(latest) ?? null, ageSeconds: secondsBetween(jobStart(latest), clock) }
      : null,
    jobs: jobsKnown ? v.backupJobs.length : null,
  };
}

function pgBouncerOf(v: ClusterView, unknown: Set<string>): PgBouncerStatus {
  const configured = Boolean(v.object.spec?.proxy?.pgBouncer);
  const d = v.pgBouncer;
  if (!d) {
    const known = !unknown.has('deployments');
    return { configured, deployment: null, desired: known && configured ? num(v.object.spec?.proxy?.pgBouncer?.replicas, 1) : null, ready: known && configured ? 0 : null };
  }
  return { configured, deployment: d.metadata.name, desired: num(d.spec?.replicas, 1), ready: num(d.status?.readyReplicas, 0) };
}

function clusterOf(v: ClusterView, findings: Finding[], gaps: ReportGap[], health: Health, clock: number, allNamespaces: boolean): ClusterStatus {
  // A cluster-wide gap (e.g. the operator looked for in every namespace) hides nothing of a cluster
  // whose objects were read namespace by namespace: only with -A were its lists cluster-wide too.
  const unknown = new Set(gaps.filter((g) => (g.namespace === null ? allNamespaces : gapTouches(g, v.namespace))).map((g) => g.resource.split('.')[0]));
  const podsKnown = !unknown.has('pods');
  const stsKnown = !unknown.has('statefulsets');
  const mine = sortFindings(findingsAbout(findings, v).map(reportFinding));
  const specSets = new Set(v.sets.map((s) => s.name));
  const orphanNames = new Set(v.orphanedInstances.map((i) => i.name));
  const all = v.instances.length > 0 ? v.instances : [...v.sets.flatMap((s) => s.instances), ...v.orphanedInstances];
  const instances = all.map((iv) => instanceOf(iv, specSets.has(iv.set) && !orphanNames.has(iv.name), podsKnown));
  const sets: InstanceSetStatus[] = v.sets.map((s) => ({
    name: s.name,
    desired: s.desiredReplicas,
    observed: stsKnown ? s.instances.filter((i) => i.statefulSet).length : null,
    ready: podsKnown ? s.instances.filter((i) => i.ready).length : null,
    orphanedPvcs: s.orphanedPvcs.map((p) => p.metadata.name),
  }));
  const sum = (xs: Array<number | null>) => (xs.some((x) => x === null) ? null : xs.reduce<number>((a, b) => a + (b as number), 0));
  const primary = podsKnown ? (instances.find((i) => i.role === 'primary')?.pod ?? null) : null;
  return {
    namespace: v.namespace,
    name: v.name,
    apiVersion: v.apiVersion,
    health,
    createdAt: v.object.metadata.creationTimestamp ?? null,
    ageSeconds: secondsBetween(v.object.metadata.creationTimestamp, clock),
    paused: v.paused,
    shutdown: v.shutdown,
    replicas: {
      desired: sets.reduce((a, s) => a + s.desired, 0),
      observed: sum(sets.map((s) => s.observed)),
      ready: sum(sets.map((s) => s.ready)),
    },
    sets,
    instances,
    primary,
    leader: unknown.has('endpoints') ? null : (v.leader ?? null),
    switchover: switchoverOf(v, mine),
    backups: backupsOf(v, unknown, clock),
    pgBouncer: pgBouncerOf(v, unknown),
    findings: mine,
    unknown: [...unknown].sort(),
  };
}

export function buildStatusReport(input: ReportInput): StatusReport {
  const { views, findings, health, now } = input;
  const snap = shapeSnapshot(input.snapshot);
  const clock = Date.parse(snap.takenAt);
  // The same permission can be missing for two lists (pods of the clusters, pods of the
  // operator, both cluster-wide with -A): one line says it.
  const gaps = [...new Map(snap.gaps.map(reportGap).map((g) => [`${g.verb} ${g.resource} ${g.namespace ?? ''}`, g])).values()];
  const clusters = [...views]
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name))
    .map((v) => clusterOf(v, findings, gaps, health({ namespace: v.namespace, name: v.name }), clock, snap.scope.allNamespaces));
  const operator = operatorOf(snap, findings);
  const general = sortFindings(findings.filter((f) => f.cluster === null && !isOperatorFinding(f)).map(reportFinding));
  const every = [...operator.findings, ...general, ...clusters.flatMap((c) => c.findings)];
  const count = (sev: Severity) => every.filter((f) => f.severity === sev).length;
  const healthCount = (h: Health) => clusters.filter((c) => c.health === h).length;
  return {
    apiVersion: STATUS_REPORT_API_VERSION,
    kind: STATUS_REPORT_KIND,
    generatedAt: now.toISOString(),
    observedAt: snap.takenAt,
    source: source(snap),
    scope: { allNamespaces: snap.scope.allNamespaces, namespace: snap.scope.namespace ?? null, cluster: snap.scope.cluster ?? null },
    summary: {
      clusters: clusters.length,
      healthy: healthCount('Healthy'),
      degraded: healthCount('Degraded'),
      blocked: healthCount('Blocked'),
      unknown: healthCount('Unknown'),
      errors: count('error'),
      warnings: count('warning'),
      infos: count('info'),
    },
    operator,
    clusters,
    findings: general,
    gaps,
  };
}

/** 2 when any finding (cluster or operator) is an error, else 0. */
export function exitCodeOf(report: StatusReport): number {
  return report.summary.errors > 0 ? 2 : 0;
}
