import { UsageError } from './exit.ts';

/** Parses a kubectl-style duration ("300s", "5m", "1h30m", "250ms", or bare seconds "30") into milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of t.matchAll(re)) {
    if (m.index !== consumed) break;
    consumed += m[0].length;
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
  }
  if (t === '' || consumed !== t.length) {
    throw new UsageError(`invalid argument "${text}" for "--${flag}" flag: expected a duration such as 30s, 5m or 1h`);
  }
  return total;
}
