// `--from x.tar.gz`: a dump archive is unpacked into a private temporary directory, then read as
// the directory it was made from (objects and the operator's *.log beside them).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ExitError } from '../cli/exit.ts';
import { readTarGz } from './tar.ts';

export const isDumpArchive = (path: string) => /\.(tar\.gz|tgz)$/i.test(path);

function unpackDump(path: string): string {
  let entries;
  try {
    entries = readTarGz(readFileSync(path));
  } catch (e) {
    const m = (e as Error).message.split('\n')[0];
    throw new ExitError(/ENOENT/.test(m) ? `error: the path "${path}" does not exist` : `error: cannot read "${path}": ${m}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-pgo-dump-'));
  // Flattened: an archive's folders (and any "..") never decide where a file lands.
  for (const e of entries) writeFileSync(join(dir, basename(e.name)), e.data, { mode: 0o600 });
  return dir;
}

/** Runs read on the unpacked directory, removes it afterwards; errors name the archive, not the directory. */
export function readUnpacked<T>(path: string, read: (dir: string) => T): T {
  const dir = unpackDump(path);
  try {
    return read(dir);
  } catch (e) {
    if (e instanceof ExitError) throw new ExitError(e.message.split(dir).join(path), e.code);
    throw e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
