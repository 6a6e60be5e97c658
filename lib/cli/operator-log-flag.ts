// --operator-log=DURATION|off: how far back PGO's log is read (default 15m), or not at all.
import type { LogWindow } from '../operator-log/source.ts';
import { DEFAULT_LOG_SECONDS, logWindow } from '../operator-log/source.ts';
import { parseDuration } from './duration.ts';
import { UsageError } from './exit.ts';

export function parseOperatorLogFlag(raw: unknown): LogWindow | undefined {
  if (raw === undefined || raw === null) return logWindow(DEFAULT_LOG_SECONDS);
  const text = String(raw).trim();
  if (text === 'off' || text === 'false') return undefined;
  const ms = parseDuration(text, 'operator-log');
  if (ms < 1000) throw new UsageError(`invalid argument "${text}" for "--operator-log" flag: expected a duration of at least 1s (e.g. 15m) or off`);
  return logWindow(Math.round(ms / 1000));
}
