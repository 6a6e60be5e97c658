// The FleetReport: `status --contexts/--all-contexts -o json|yaml`, one StatusReport per kubeconfig
// context. Versioned like the StatusReport (README "## JSON schema"): add optional fields freely,
// renaming or removing one needs a new apiVersion.
import type { Health } from '../model/types.ts';
import { exitCodeOf } from '../report/build.ts';
import { STATUS_REPORT_API_VERSION, type ReportSummary, type StatusReport } from '../report/schema.ts';

export const FLEET_REPORT_KIND = 'FleetReport';

export interface ContextReport {
  context: string;
  /** Read: the report is there. Unreadable: the context could not be read at all (see error). */
  state: 'Read' | 'Unreadable';
  /** One line, kubectl style, when the context could not be read (unreachable, credentials, forbidden, PGO not installed). */
  error: string | null;
  report: StatusReport | null;
}

export interface FleetReport {
  apiVersion: typeof STATUS_REPORT_API_VERSION;
  kind: typeof FLEET_REPORT_KIND;
  generatedAt: string;
  /** The StatusReport summaries added up, and how many contexts could not be read. */
  summary: ReportSummary & { contexts: number; unreadable: number };
  /** In the order asked for (--contexts) or of the kubeconfig (--all-contexts). */
  contexts: ContextReport[];
}

export function buildFleetReport(contexts: ContextReport[], now: Date): FleetReport {
  const reports = contexts.flatMap((c) => (c.report ? [c.report] : []));
  const sum = (pick: (r: StatusReport) => number) => reports.reduce((n, r) => n + pick(r), 0);
  return {
    apiVersion: STATUS_REPORT_API_VERSION,
    kind: FLEET_REPORT_KIND,
    generatedAt: now.toISOString(),
    summary: {
      contexts: contexts.length,
      unreadable: contexts.filter((c) => c.state === 'Unreadable').length,
      clusters: sum((r) => r.summary.clusters),
      healthy: sum((r) => r.summary.healthy),
      degraded: sum((r) => r.summary.degraded),
      blocked: sum((r) => r.summary.blocked),
      unknown: sum((r) => r.summary.unknown),
      errors: sum((r) => r.summary.errors),
      warnings: sum((r) => r.summary.warnings),
      infos: sum((r) => r.summary.infos),
    },
    contexts,
  };
}

/** The worst (highest) exit code of all contexts: 2 when any has an error finding, else 1 when
 *  any could not be read, else 0. */
export function fleetExitCode(fleet: FleetReport): number {
  return Math.max(0, ...fleet.contexts.map((c) => (c.report ? exitCodeOf(c.report) : 1)));
}

const HEALTH_RANK: Record<Health, number> = { Blocked: 0, Degraded: 1, Unknown: 2, Healthy: 3 };

/** Rows of the fleet table, worst first: unreadable contexts, then Blocked, Degraded, Unknown, Healthy. */
export function fleetRows(fleet: FleetReport) {
  type Row = { context: string; cluster: StatusReport['clusters'][number] | null; report: StatusReport | null; error: string | null };
  const rows: Row[] = [];
  for (const c of fleet.contexts) {
    if (!c.report) rows.push({ context: c.context, cluster: null, report: null, error: c.error });
    else for (const cl of c.report.clusters) rows.push({ context: c.context, cluster: cl, report: c.report, error: null });
  }
  const rank = (r: Row) => (r.cluster ? HEALTH_RANK[r.cluster.health] + 1 : 0);
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
    .map((x) => x.r);
}
