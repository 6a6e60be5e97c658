// The flags every writing verb shares (heal, switchover), validated into one shape.
import { UsageError } from '../cli/exit.ts';
import { parseDuration } from '../cli/duration.ts';
import { defaultBackupDir } from './backup.ts';
import type { DryRun } from './types.ts';

export interface WriteFlags {
  dryRun: DryRun;
  yes: boolean;
  wait: boolean;
  timeoutMs: number;
  backupDir: string;
  output?: 'json' | 'yaml';
}

export function parseDryRun(v: unknown): DryRun {
  if (v === undefined || v === null || v === false) return 'none';
  // A bare --dry-run is taken as the safest reading (client: print only), never as "go ahead".
  if (v === '' || v === true) return 'client';
  const s = String(v);
  if (s === 'none' || s === 'client' || s === 'server') return s;
  throw new UsageError(`error: invalid argument "${s}" for "--dry-run" flag: must be "none", "client", or "server"`);
}

export function parseOutput(v: unknown): 'json' | 'yaml' | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const s = String(v);
  if (s === 'json' || s === 'yaml') return s;
  throw new UsageError(`error: unable to match a printer suitable for the output format "${s}", allowed formats are: json,yaml`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function parseWriteFlags(argv: any, env: NodeJS.ProcessEnv = process.env): WriteFlags {
  const timeout = argv.timeout === undefined ? '5m' : String(argv.timeout);
  const timeoutMs = parseDuration(timeout, 'timeout');
  if (timeoutMs <= 0) throw new UsageError('error: --timeout must be greater than zero');
  const dir = argv.backupDir ?? argv['backup-dir'];
  if (dir !== undefined && String(dir).trim() === '') throw new UsageError('error: --backup-dir needs a directory');
  return {
    dryRun: parseDryRun(argv.dryRun ?? argv['dry-run']),
    yes: Boolean(argv.yes),
    wait: argv.wait === undefined ? true : Boolean(argv.wait),
    timeoutMs,
    backupDir: dir !== undefined ? String(dir) : defaultBackupDir(env),
    output: parseOutput(argv.output),
  };
}
