// `status CLUSTER`: one cluster in detail - instances, switchover, backups, pgBouncer, then every
// finding with why and how to fix it.
import type { ClusterStatus, InstanceStatus, ReportFinding, StatusReport } from '../report/schema.ts';
import { sortFindings } from '../report/build.ts';
import { formatAge } from './age.ts';
import { formatBytes } from './bytes.ts';
import { columns } from './columns.ts';
import { renderFindings } from './findings.ts';
import { operatorLogLines } from './operator-log.ts';
import { operatorCell, primaryCell } from './status-list.ts';
import { heading, paintHealth } from './style.ts';

function fields(pairs: Array<[string, string]>, indent = ''): string {
  const w = Math.max(...pairs.map(([k]) => k.length)) + 2;
  return pairs.map(([k, v]) => `${indent}${`${k}:`.padEnd(w)}${v}\n`).join('');
}

function unknownOr<T>(v: T | null, show: (x: T) => string, isUnknown: boolean, otherwise = '-'): string {
  if (v !== null) return show(v);
  return isUnknown ? 'Unknown' : otherwise;
}

function instanceRows(c: ClusterStatus): string[][] {
  const podsUnknown = c.unknown.includes('pods');
  const row = (i: InstanceStatus): string[] => [
    i.inSpec ? i.set : `${i.set} (not in spec)`,
    i.pod ?? (podsUnknown ? `${i.name}-0` : `${i.name}-0 (no pod)`),
    unknownOr(i.role, (r) => r, podsUnknown),
    unknownOr(i.ready, (r) => String(r), podsUnknown),
    i.node ?? '-',
    i.timeline === null ? '-' : String(i.timeline),
    i.role === 'primary' ? '-' : formatBytes(i.lagBytes),
    unknownOr(i.restarts, (r) => String(r), podsUnknown),
  ];
  const rows: string[][] = [];
  for (const s of c.sets) {
    for (const i of c.instances.filter((x) => x.set === s.name && x.inSpec)) rows.push(row(i));
    if (s.observed === null) continue;
    // Instances the spec asks for that have no StatefulSet: name the pgdata PVC PGO would reuse.
    const missing = Math.max(0, s.desired - s.observed);
    for (let k = 0; k < missing; k++) {
      const pvc = s.orphanedPvcs[k];
      rows.push([s.name, pvc ? `<missing> (pgdata ${pvc} kept)` : '<missing>', '-', 'false', '-', '-', '-', '-']);
    }
  }
  for (const i of c.instances.filter((x) => !x.inSpec)) rows.push(row(i));
  return rows;
}

function switchoverText(c: ClusterStatus): string {
  const s = c.switchover;
  const pairs: Array<[string, string]> = [['State', s.state]];
  if (s.enabled || s.trigger) {
    pairs.push(['Enabled', String(s.enabled)], ['Type', s.type], ['Target', s.targetInstance ?? '<none>']);
    pairs.push(['Requested', s.trigger ? `"${s.trigger}" (trigger-switchover annotation)` : '<none>']);
    pairs.push(['Last completed', s.completed ? `"${s.completed}"` : '<none>']);
  }
  return fields(pairs, '  ');
}

function backupsText(c: ClusterStatus): string {
  const b = c.backups;
  const jobsUnknown = c.unknown.includes('jobs');
  if (!b.configured && !b.repoHost && !b.latestJob) return '  Not configured\n';
  const pairs: Array<[string, string]> = [];
  if (b.repos.length > 0)
    pairs.push(['Repos', b.repos.map((r) => `${r.name}${r.stanzaCreated === false ? ' (stanza not created)' : ''}`).join(', ')]);
  pairs.push([
    'Repo host',
    b.repoHost ? `${b.repoHost.name} (${b.repoHost.ready ? 'ready' : 'not ready'})` : c.unknown.includes('statefulsets') ? 'Unknown' : '<none>',
  ]);
  pairs.push([
    'Last backup',
    b.latestJob ? `${b.latestJob.name} ${b.latestJob.state}, started ${formatAge(b.latestJob.ageSeconds)} ago` : jobsUnknown ? 'Unknown' : '<none>',
  ]);
  return fields(pairs, '  ');
}

function pgBouncerText(c: ClusterStatus): string {
  const p = c.pgBouncer;
  if (c.unknown.includes('deployments') && !p.deployment) return p.configured ? 'Unknown' : 'Not configured';
  if (!p.configured && !p.deployment) return 'Not configured';
  return `${p.deployment ?? '<missing>'} ${p.ready ?? '?'}/${p.desired ?? '?'} ready`;
}

function counts(findings: ReportFinding[]): string {
  const n = (sev: string) => findings.filter((f) => f.severity === sev).length;
  const parts = [`${n('error')} error${n('error') === 1 ? '' : 's'}`, `${n('warning')} warning${n('warning') === 1 ? '' : 's'}`];
  if (n('info')) parts.push(`${n('info')} info`);
  return parts.join(', ');
}

function healthReason(c: ClusterStatus, blocker: string | undefined): string {
  if (c.health === 'Blocked' && blocker) return ` (PGO cannot converge by itself: ${blocker})`;
  if (c.health === 'Unknown' && c.unknown.length) return ` (cannot read ${c.unknown.join(', ')})`;
  return '';
}

export function renderStatusDetail(report: StatusReport, c: ClusterStatus, opts: { color: boolean }): string {
  const on = opts.color;
  const ready = c.replicas.ready === null ? '?' : String(c.replicas.ready);
  const observed = c.replicas.observed === null ? 'unknown' : String(c.replicas.observed);
  const blocking = c.findings.find((f) => f.blocking && !f.blockedBy);
  const pairs: Array<[string, string]> = [
    ['Name', c.name],
    ['Namespace', c.namespace],
    ['Health', paintHealth(on, c.health) + healthReason(c, blocking?.code)],
    ['Instances', `${ready}/${c.replicas.desired} ready (${observed} StatefulSet${c.replicas.observed === 1 ? '' : 's'}${c.replicas.ready === null ? '; pods not readable' : ''})`],
    ['Primary', primaryCell(c)],
    ['Leader', c.leader ?? (c.unknown.includes('endpoints') ? '<unknown>' : '<none>')],
  ];
  if (c.unknown.length) pairs.push(['Not readable', `${c.unknown.join(', ')} (see the warnings at the end)`]);
  if (c.paused) pairs.push(['Paused', 'true']);
  if (c.shutdown) pairs.push(['Shutdown', 'true']);
  pairs.push(['Age', formatAge(c.ageSeconds)], ['API version', c.apiVersion], ['Operator', operatorCell(report.operator)]);
  if (report.operator.log) for (const line of operatorLogLines(report.operator.log)) pairs.push(['Operator log', line]);
  let out = fields(pairs);
  out += `\n${heading(on, 'Instances:')}\n`;
  const rows = instanceRows(c);
  out += rows.length ? columns(['SET', 'POD', 'ROLE', 'READY', 'NODE', 'TIMELINE', 'LAG', 'RESTARTS'], rows, '  ') : '  <none>\n';
  out += `\n${heading(on, 'Switchover:')}\n${switchoverText(c)}`;
  out += `\n${heading(on, 'Backups:')}\n${backupsText(c)}`;
  out += `\n${heading(on, 'pgBouncer:')} ${pgBouncerText(c)}\n`;
  const findings = sortFindings([...c.findings, ...report.operator.findings, ...report.findings]);
  out += `\n${heading(on, `Findings (${counts(findings)}):`)}${findings.length ? '\n' + renderFindings(on, findings) : c.unknown.length ? ' none in what could be read\n' : ' none\n'}`;
  return out;
}
