// Before any write, the object as it was goes to a file that `kubectl replace -f FILE` restores.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import type { KObject } from '../model/types.ts';

/** $XDG_STATE_HOME/kubectl-pgo/backups, else ~/.local/state/kubectl-pgo/backups (per user, as XDG says for state). */
export function defaultBackupDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const state = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.join(home, '.local', 'state');
  return path.join(state, 'kubectl-pgo', 'backups');
}

/** 2026-11-25T18:30:05.123Z -> 20261125T183005.123Z: sortable, no colons (valid on every filesystem). */
export function compactTime(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '');
}

export function backupFileName(obj: KObject, now: Date): string {
  const kind = (obj.kind ?? 'object').toLowerCase();
  const ns = obj.metadata.namespace ?? '_cluster';
  return `${ns}_${kind}_${obj.metadata.name}_${compactTime(now)}.yaml`;
}

/**
 * The object in a form `kubectl replace -f` accepts after our own write: managedFields are the
 * server's bookkeeping, and resourceVersion would make the replace fail with 409 because our patch
 * moved it on (without one, kubectl replace reads the live version and overwrites). uid stays: it
 * makes the replace refuse to land on a different object that merely has the same name.
 */
export function restorable(obj: KObject): KObject {
  const copy: KObject = structuredClone(obj);
  const meta = copy.metadata as unknown as Record<string, unknown>;
  delete meta.managedFields;
  delete meta.resourceVersion;
  // kubectl replace would send the old status too; the API ignores it on the main resource, and
  // leaving it out keeps the file to what a person restores.
  delete copy.status;
  return copy;
}

export function backupText(obj: KObject, now: Date, file: string): string {
  const header = [
    `# ${obj.kind ?? 'Object'} ${obj.metadata.namespace ?? ''}/${obj.metadata.name} as it was before kubectl pgo changed it`,
    `# saved ${now.toISOString()} from resourceVersion ${obj.metadata.resourceVersion ?? 'unknown'}`,
    `# restore: kubectl replace -f ${file}`,
    '',
  ].join('\n');
  return header + dump(restorable(obj), { noRefs: true, lineWidth: -1 });
}

/** Writes the backup and returns its path. Throws when it cannot be written: no backup, no write. */
export function writeBackup(dir: string, obj: KObject, now: Date): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, backupFileName(obj, now));
  writeFileSync(file, backupText(obj, now, file), { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return file;
}
