// Text for people; the JSON/YAML forms are the same objects, dumped by the verb. Pure.
import { paint } from '../cli/io.ts';
import type { Finding } from '../model/types.ts';
import type { Consequence } from './consequences.ts';
import type { ClusterStateDiff } from './state-diff.ts';

export function renderStateDiffs(diffs: ClusterStateDiff[], color: boolean): string {
  const lines: string[] = [];
  for (const d of diffs) {
    lines.push(paint(color, 'bold', `PostgresCluster ${d.namespace}/${d.name}`));
    if (d.differences.length === 0) {
      lines.push('  no differences: the objects match the spec', '');
      continue;
    }
    let aspect = '';
    for (const x of d.differences) {
      if (x.aspect !== aspect) {
        aspect = x.aspect;
        lines.push(paint(color, 'cyan', `@@ ${aspect} @@`));
      }
      lines.push(paint(color, 'green', `+ ${x.field}: ${x.desired}`));
      lines.push(paint(color, 'red', `- ${x.field}: ${x.actual}`));
      const verdict =
        x.convergence === 'converging'
          ? paint(color, 'green', 'PGO will converge by itself')
          : x.convergence === 'blocked'
            ? paint(color, 'red', `PGO will NOT converge: ${x.because}`)
            : paint(color, 'yellow', `needs a person: ${x.because}`);
      lines.push(`  ${x.finding ? `${x.finding}; ` : ''}${verdict}`);
    }
    lines.push('');
  }
  if (diffs.length === 0) lines.push('No PostgresClusters found.');
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

function colorDiffLine(line: string, color: boolean): string {
  if (line.startsWith('+++') || line.startsWith('---')) return paint(color, 'bold', line);
  if (line.startsWith('@@')) return paint(color, 'cyan', line);
  if (line.startsWith('+')) return paint(color, 'green', line);
  if (line.startsWith('-')) return paint(color, 'red', line);
  return line;
}

export function renderManifestDiff(
  r: { diff: string; consequences: Consequence[]; newFindings: Finding[]; created: boolean },
  color: boolean,
): string {
  const out: string[] = [];
  const loss = r.consequences.filter((c) => c.dataLoss);
  for (const c of loss) out.push(paint(color, 'red', `!!! ${c.message}`));
  if (loss.length) out.push('');
  if (r.created) out.push('The PostgresCluster does not exist yet: applying this manifest creates it.');
  out.push(r.diff ? r.diff.replace(/\n$/, '').split('\n').map((l) => colorDiffLine(l, color)).join('\n') : 'No field differences.');
  const rest = r.consequences.filter((c) => !c.dataLoss);
  if (rest.length || r.newFindings.length) {
    out.push('', paint(color, 'bold', 'What PGO would do:'));
    for (const c of rest) out.push(`  ${sev(c.severity, color)} ${c.message}`);
    for (const f of r.newFindings) out.push(`  ${sev(f.severity, color)} ${f.code}: ${f.message}`);
  }
  return `${out.join('\n')}\n`;
}

function sev(s: string, color: boolean): string {
  const tag = s.toUpperCase().padEnd(7);
  return s === 'error' ? paint(color, 'red', tag) : s === 'warning' ? paint(color, 'yellow', tag) : paint(color, 'dim', tag);
}
