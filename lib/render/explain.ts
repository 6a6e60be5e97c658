// `status CLUSTER --explain` as text: PGO's reconcile pipeline, one row per step. Pure.
import { paint } from '../cli/io.ts';
import type { ExplainStatus, StepState } from '../explain/explain.ts';
import { columns } from './columns.ts';
import { heading } from './style.ts';

const STATE_COLOUR: Record<StepState, 'green' | 'red' | 'yellow' | 'cyan'> = { ok: 'green', failing: 'red', skipped: 'yellow', unknown: 'cyan' };

function note(e: ExplainStatus, s: ExplainStatus['steps'][number]): string {
  const parts: string[] = [];
  if (s.state === 'failing' && s.error) parts.push(`"${s.error.split('\n')[0]}"${s.finding ? ` (${s.finding})` : ''}`);
  else if (s.state === 'failing' && s.finding) parts.push(s.finding);
  if (s.state === 'skipped' && e.stoppedAt === 'operator' && s.error) parts.push(s.error);
  if (s.unresolved.length) {
    const names = s.unresolved.map((u) => `${u.code} (${u.subject})`).join(', ');
    parts.push(`leaves ${names} unresolved`);
  }
  return parts.join('; ');
}

export function renderExplain(e: ExplainStatus, color: boolean): string {
  const version = e.pgoVersion ? `PGO ${e.pgoVersion}` : 'PGO version not found';
  const table = e.assumed ? `the v${e.pipeline} order assumed` : `the v${e.pipeline} order`;
  let out = `${heading(color, 'Reconcile pipeline:')} ${version}; ${table} (${e.source})\n`;
  if (e.stoppedAt === 'operator') out += '  The operator is not running: no step runs for any cluster.\n';
  else if (e.unplacedError !== null) {
    out += `  Every reconcile fails at ${e.stoppedAt}, which this table has no step for: "${e.unplacedError.split('\n')[0]}". Where it stops is unknown.\n`;
  } else if (e.stoppedAt) {
    const failing = e.steps.find((s) => s.state === 'failing');
    out += `  Every reconcile stops at ${e.stoppedAt}${failing?.kind === 'gate' ? ' (an early check)' : ''}; the steps after it do not run.\n`;
  } else if (!e.logRead) out += '  No step is known to fail; PGO\'s log was not read, so the steps are unknown rather than ok.\n';
  else out += '  No step is known to fail: PGO\'s log shows no reconcile error for this cluster.\n';
  const rows = e.steps.map((s) => [String(s.index), s.name, paint(color, STATE_COLOUR[s.state], s.state), note(e, s) || s.does]);
  out += columns(['#', 'STEP', 'STATE', 'WHAT / WHY'], rows, '  ');
  return out;
}
