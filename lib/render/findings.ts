// Findings written out in full: message, why, and the fix. Remedy lines are printed verbatim and
// never coloured, so that a command in them can be copied and pasted as it stands.
import type { ReportFinding } from '../report/schema.ts';
import { paintSeverity, severityLabel } from './style.ts';

export function renderFinding(on: boolean, f: ReportFinding, indent = '  '): string {
  const tags: string[] = [];
  if (f.blocking) tags.push('blocks PGO');
  if (f.blockedBy) tags.push(`blocked by ${f.blockedBy}`);
  const label = severityLabel(f.severity).padEnd(7);
  let out = `${indent}${paintSeverity(on, f.severity, label)} ${paintSeverity(on, f.severity, f.code)}  ${f.subject}${tags.length ? `  (${tags.join(', ')})` : ''}\n`;
  const body = `${indent}    `;
  out += `${body}${f.message}\n`;
  if (f.detail) out += block(body, 'Why: ', f.detail);
  if (f.remedy) {
    out += `${body}Fix:\n`;
    for (const line of f.remedy.replace(/\s+$/, '').split('\n')) out += line ? `${body}  ${line}\n` : '\n';
  }
  return out;
}

function block(indent: string, label: string, text: string): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  const pad = ' '.repeat(label.length);
  return lines.map((l, i) => (l ? `${indent}${i === 0 ? label : pad}${l}` : '')).join('\n') + '\n';
}

export function renderFindings(on: boolean, findings: ReportFinding[], indent = '  '): string {
  return findings.map((f) => renderFinding(on, f, indent)).join('\n');
}
