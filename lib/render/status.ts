// StatusReport -> text for stdout and stderr. Pure: colour is a parameter, nothing is printed.
import type { OutputFormat } from '../cli/output.ts';
import { gapLine } from '../report/gaps.ts';
import type { StatusReport } from '../report/schema.ts';
import { renderFindings } from './findings.ts';
import { renderJSON, renderYAML } from './machine.ts';
import { renderStatusDetail } from './status-detail.ts';
import { renderExplain } from './explain.ts';
import { renderStatusList } from './status-list.ts';
import { heading } from './style.ts';

export interface Rendered {
  stdout: string;
  /** Warnings (one line per gap, as kubectl prints warnings) and "No ... found" notes. */
  stderr: string;
}

export interface RenderOptions {
  format: OutputFormat;
  /** Colour the human formats (already decided from --color, NO_COLOR and the TTY). */
  color: boolean;
}

function noneFound(report: StatusReport): string {
  if (report.scope.allNamespaces) return 'No PostgresClusters found.\n';
  return `No PostgresClusters found in namespace "${report.scope.namespace ?? 'default'}".\n`;
}

export function renderStatus(report: StatusReport, opts: RenderOptions): Rendered {
  const warnings = report.gaps.map((g) => `${gapLine(g)}\n`).join('');
  // Machines first, and nothing else on stdout for them.
  if (opts.format === 'json') return { stdout: renderJSON(report), stderr: warnings };
  if (opts.format === 'yaml') return { stdout: renderYAML(report), stderr: warnings };
  if (report.clusters.length === 0) {
    const section = (title: string, fs: StatusReport['findings']) => (fs.length ? `${heading(opts.color, title)}\n${renderFindings(opts.color, fs)}` : '');
    const stdout = [section('Operator:', report.operator.findings), section('Not about one cluster:', report.findings)].filter(Boolean).join('\n');
    return { stdout, stderr: noneFound(report) + warnings };
  }
  if (report.scope.cluster && report.clusters.length === 1) {
    const c = report.clusters[0];
    const explain = c.explain ? `\n${renderExplain(c.explain, opts.color)}` : '';
    return { stdout: renderStatusDetail(report, c, { color: opts.color }) + explain, stderr: warnings };
  }
  return { stdout: renderStatusList(report, { color: opts.color, wide: opts.format === 'wide' }), stderr: warnings };
}
