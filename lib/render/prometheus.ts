// `status -o prometheus`: the report as Prometheus text exposition (format 0.0.4), for
// node_exporter's textfile collector or a CronJob that pushes it. One block per metric family
// (HELP and TYPE once, then every sample), as the format requires when several contexts are
// rendered together.
import type { Health } from '../model/types.ts';
import type { StatusReport } from '../report/schema.ts';

/** One context's report, or why it could not be read (report null). */
export interface MetricsSource {
  context: string | null;
  report: StatusReport | null;
  error?: string;
}

const HEALTHS: Health[] = ['Healthy', 'Degraded', 'Blocked', 'Unknown'];

// Label values: backslash, double quote and line feed are the only escapes the format knows.
const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function labels(l: Record<string, string | null | undefined>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${esc(v ?? '')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

interface Family {
  name: string;
  help: string;
  samples: string[];
}

function family(name: string, help: string): Family {
  return { name, help, samples: [] };
}

function add(f: Family, l: Record<string, string | null | undefined>, value: number) {
  f.samples.push(`${f.name}${labels(l)} ${Number.isFinite(value) ? value : 'NaN'}`);
}

export function renderPrometheus(sources: MetricsSource[]): string {
  const up = family('kubectl_pgo_context_up', '1 when the context could be read and PostgresClusters listed, 0 when it could not.');
  const health = family('kubectl_pgo_cluster_health', 'Health of a PostgresCluster: 1 for its current health, 0 for the others (Healthy, Degraded, Blocked, Unknown).');
  const findings = family('kubectl_pgo_findings', 'Findings of one code on a PostgresCluster (namespace and name empty: about no single cluster).');
  const opReady = family('kubectl_pgo_operator_ready', '1 when the PGO operator Deployment has all its replicas ready, 0 when not (or missing); absent when it could not be looked for.');
  const opReplicas = family('kubectl_pgo_operator_ready_replicas', 'Ready replicas of the PGO operator Deployment.');
  const clusters = family('kubectl_pgo_clusters', 'PostgresClusters in the scope by health.');
  const time = family('kubectl_pgo_report_timestamp_seconds', 'When the objects of this report were read (Unix time).');

  for (const s of sources) {
    const ctx = s.context ?? '';
    up.samples.push(`${up.name}${labels({ context: ctx })} ${s.report ? 1 : 0}`);
    const r = s.report;
    if (!r) continue;
    add(time, { context: ctx }, Math.round(Date.parse(r.observedAt) / 1000));
    const byHealth: Record<string, number> = { Healthy: 0, Degraded: 0, Blocked: 0, Unknown: 0 };
    for (const c of r.clusters) {
      byHealth[c.health] = (byHealth[c.health] ?? 0) + 1;
      for (const h of HEALTHS) add(health, { context: ctx, namespace: c.namespace, name: c.name, health: h }, c.health === h ? 1 : 0);
      countFindings(findings, { context: ctx, namespace: c.namespace, name: c.name }, c.findings);
    }
    countFindings(findings, { context: ctx, namespace: '', name: '' }, [...r.operator.findings, ...r.findings]);
    for (const h of HEALTHS) add(clusters, { context: ctx, health: h }, byHealth[h]);
    if (r.operator.known) {
      const d = r.operator.deployment;
      const ready = d !== null && d.desired > 0 && d.ready >= d.desired;
      add(opReady, { context: ctx, namespace: d?.namespace ?? '', deployment: d?.name ?? '' }, ready ? 1 : 0);
      if (d) add(opReplicas, { context: ctx, namespace: d.namespace, deployment: d.name }, d.ready);
    }
  }
  return [up, health, findings, clusters, opReady, opReplicas, time]
    .filter((f) => f.samples.length > 0)
    .map((f) => `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} gauge\n${f.samples.join('\n')}\n`)
    .join('');
}

function countFindings(f: Family, base: Record<string, string>, list: Array<{ code: string; severity: string }>) {
  const counts = new Map<string, { code: string; severity: string; n: number }>();
  for (const x of list) {
    const key = `${x.code}\0${x.severity}`;
    const c = counts.get(key) ?? { code: x.code, severity: x.severity, n: 0 };
    c.n++;
    counts.set(key, c);
  }
  for (const c of counts.values()) add(f, { ...base, code: c.code, severity: c.severity }, c.n);
}
