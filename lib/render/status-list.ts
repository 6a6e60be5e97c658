// `status` without a name: one line per cluster (table), plus more columns with -o wide.
import type { ClusterStatus, OperatorStatus, StatusReport } from '../report/schema.ts';
import { formatAge } from './age.ts';
import { columns } from './columns.ts';
import { renderFindings } from './findings.ts';
import { heading, paintHealth, paintSeverity } from './style.ts';

const SHORT_MESSAGE = 72;

export function instancesCell(c: ClusterStatus): string {
  const ready = c.replicas.ready === null ? '?' : String(c.replicas.ready);
  return `${ready}/${c.replicas.desired}`;
}

export function primaryCell(c: ClusterStatus): string {
  if (c.primary) return c.primary;
  return c.unknown.includes('pods') ? '<unknown>' : '<none>';
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

export function topFinding(on: boolean, c: ClusterStatus, wide: boolean): string {
  const f = c.findings[0];
  if (!f) return c.unknown.length > 0 ? `cannot read ${c.unknown.join(', ')}` : '';
  const more = c.findings.length > 1 ? ` (+${c.findings.length - 1} more)` : '';
  const message = wide ? f.message : shorten(f.message, SHORT_MESSAGE);
  return `${paintSeverity(on, f.severity, f.code)}: ${message}${more}`;
}

export function operatorCell(op: OperatorStatus): string {
  if (!op.known) return '<unknown>';
  if (!op.deployment) return 'missing';
  const v = op.version ?? '?';
  return op.deployment.ready >= op.deployment.desired && op.deployment.desired > 0 ? v : `${v} (not ready)`;
}

export function renderStatusList(report: StatusReport, opts: { color: boolean; wide: boolean }): string {
  const on = opts.color;
  const ns = report.scope.allNamespaces;
  const head = [...(ns ? ['NAMESPACE'] : []), 'NAME', 'HEALTH', 'INSTANCES', 'PRIMARY'];
  if (opts.wide) head.push('SWITCHOVER', 'OPERATOR');
  head.push('AGE');
  if (opts.wide) head.push('FINDINGS');
  head.push('FINDING');
  const rows = report.clusters.map((c) => {
    const row = [...(ns ? [c.namespace] : []), c.name, paintHealth(on, c.health), instancesCell(c), primaryCell(c)];
    if (opts.wide) row.push(c.switchover.state, operatorCell(report.operator));
    row.push(formatAge(c.ageSeconds));
    if (opts.wide) row.push([...new Set(c.findings.map((f) => f.code))].join(',') || '<none>');
    row.push(topFinding(on, c, opts.wide));
    return row;
  });
  let out = columns(head, rows);
  const opFindings = report.operator.findings;
  // Findings of no cluster row are printed whole: no detailed view of a cluster is theirs.
  if (opFindings.length > 0) out += `\n${heading(on, 'Operator:')}\n${renderFindings(on, opFindings)}`;
  if (report.findings.length > 0) out += `\n${heading(on, 'Not about one cluster:')}\n${renderFindings(on, report.findings)}`;
  return out;
}
