// --from: the operator's log may come with the dump, as a file named *.log beside the YAML (in
// the dump's directory, or next to the dump file), e.g. made with
//   kubectl logs -n postgres-operator deploy/pgo --since=15m > dump/operator.log
// Only the newest 4 MiB of each file are read (the newest errors matter most); files with no
// line of PGO's are left out.
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { DEFAULT_LOG_BYTES, sourceFromText, type OperatorLog } from '../operator-log/source.ts';

function logFilesIn(dir: string, deep: boolean): string[] {
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  // Sorted after filtering, and only when there are two: localeCompare starts ICU's collator
  // (~10 ms of `status --from` a dump with no log beside it). The order is the same either way.
  const wanted = entries.filter((e) => (e.isDirectory() && deep) || (e.isFile() && extname(e.name).toLowerCase() === '.log'));
  if (wanted.length > 1) wanted.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of wanted) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...logFilesIn(p, true));
    else out.push(p);
  }
  return out;
}

/** The last `max` bytes of a file, from the first whole line on. */
function tail(file: string, max: number): { text: string; cut: boolean } {
  const size = statSync(file).size;
  const start = Math.max(0, size - max);
  const buf = Buffer.alloc(size - start);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, buf.length, start);
  } finally {
    closeSync(fd);
  }
  let text = buf.toString('utf8');
  if (start > 0) text = text.slice(text.indexOf('\n') + 1);
  return { text, cut: start > 0 };
}

/** undefined when the dump (or stdin) has no *.log beside it. */
export function operatorLogBeside(path: string, max = DEFAULT_LOG_BYTES): OperatorLog | undefined {
  if (path === '-') return undefined;
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    return undefined;
  }
  const files = isDir ? logFilesIn(path, true) : logFilesIn(dirname(path), false);
  const sources = files.flatMap((file) => {
    let read;
    try {
      read = tail(file, max);
    } catch {
      return [];
    }
    const source = sourceFromText(read.text, { pod: null, file, window: null });
    if (source.digest.pgoLines === 0) return [];
    return [{ ...source, truncated: read.cut }];
  });
  return sources.length ? { sources } : undefined;
}
