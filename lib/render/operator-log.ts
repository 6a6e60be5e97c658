// One line per operator log read: from which pod (or file), and how far back it reaches.
import type { OperatorLogStatus } from '../report/schema.ts';

const hhmmss = (t: string | null) => (t ? `${t.slice(11, 19)} UTC` : '-');

function window(s: OperatorLogStatus['sources'][number]): string {
  if (s.sinceSeconds === null) return '';
  const mins = Math.round(s.sinceSeconds / 60);
  return `; asked: the last ${mins >= 1 ? `${mins}m` : `${s.sinceSeconds}s`}, at most ${s.tailLines} lines and ${Math.round((s.limitBytes ?? 0) / 1024)} KiB`;
}

export function operatorLogLines(log: OperatorLogStatus): string[] {
  if (log.sources.length === 0) return ['no operator pod to read'];
  return log.sources.map((s) => {
    const where = s.pod ? `${s.pod} (${s.container})` : (s.file ?? '?');
    const reach = s.lines === 0 ? 'no lines of PGO\'s' : `${s.lines} lines from ${hhmmss(s.from)} to ${hhmmss(s.to)}`;
    const cut = s.truncated ? '; cut at the byte limit: newer lines may be missing' : '';
    return `${where}: ${reach}, ${s.reconcileErrors} "Reconciler error"${window(s)}${cut}`;
  });
}
