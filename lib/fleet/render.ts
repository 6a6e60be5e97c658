// The fleet table: one line per cluster of every context, a CONTEXT column first, worst first;
// a context that could not be read is one line of its own. Operator findings follow per context.
import { formatAge } from '../render/age.ts';
import { columns } from '../render/columns.ts';
import { renderFindings } from '../render/findings.ts';
import { instancesCell, operatorCell, primaryCell, topFinding } from '../render/status-list.ts';
import { paint } from '../cli/io.ts';
import { heading, paintHealth } from '../render/style.ts';
import { gapLine } from '../report/gaps.ts';
import { fleetRows, type FleetReport } from './report.ts';

export function renderFleetTable(fleet: FleetReport, opts: { color: boolean; wide: boolean }): { stdout: string; stderr: string } {
  const on = opts.color;
  const head = ['CONTEXT', 'NAMESPACE', 'NAME', 'HEALTH', 'INSTANCES', 'PRIMARY'];
  if (opts.wide) head.push('SWITCHOVER', 'OPERATOR');
  head.push('AGE', 'FINDING');
  const rows = fleetRows(fleet).map((r) => {
    if (!r.cluster || !r.report) {
      const row = [r.context, '-', '-', paint(on, 'red', 'Unreadable'), '-', '-'];
      if (opts.wide) row.push('-', '-');
      row.push('-', r.error ?? '');
      return row;
    }
    const c = r.cluster;
    const row = [r.context, c.namespace, c.name, paintHealth(on, c.health), instancesCell(c), primaryCell(c)];
    if (opts.wide) row.push(c.switchover.state, operatorCell(r.report.operator));
    row.push(formatAge(c.ageSeconds), topFinding(on, c, opts.wide));
    return row;
  });
  let stdout = rows.length ? columns(head, rows) : '';
  for (const c of fleet.contexts) {
    const r = c.report;
    if (!r) continue;
    if (r.operator.findings.length) stdout += `\n${heading(on, `Operator (context ${c.context}):`)}\n${renderFindings(on, r.operator.findings)}`;
    if (r.findings.length) stdout += `\n${heading(on, `Not about one cluster (context ${c.context}):`)}\n${renderFindings(on, r.findings)}`;
  }
  const empty = fleet.contexts.filter((c) => c.report && c.report.clusters.length === 0).map((c) => c.context);
  let stderr = empty.length ? `No PostgresClusters found in context${empty.length > 1 ? 's' : ''} ${empty.join(', ')}.\n` : '';
  for (const c of fleet.contexts) stderr += (c.report?.gaps ?? []).map((g) => `${gapLine(g).replace(/^Warning: /, `Warning: context ${c.context}: `)}\n`).join('');
  return { stdout, stderr };
}
