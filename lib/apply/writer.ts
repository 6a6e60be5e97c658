// The one writer. Every write: shown before (by the caller), backed up first, conditional on the
// resourceVersion the plan was made from, sent with field manager kubectl-pgo. A 409 is reported
// back, never retried blindly: the caller re-reads, re-plans and shows the new plan.
import type { ApiClient } from '../kube/api.ts';
import { FIELD_MANAGER } from '../kube/client.ts';
import type { KObject } from '../model/types.ts';
import { unlinkSync } from 'node:fs';
import { ExitError } from '../cli/exit.ts';
import { ApiError } from '../kube/errors.ts';
import { writeBackup } from './backup.ts';
import { isConflict } from './conflict.ts';
import { objectPath } from './paths.ts';
import type { Change } from './types.ts';


export type WriteResult =
  | { kind: 'written'; object: KObject; backup: string }
  | { kind: 'dry-run'; object: KObject }
  | { kind: 'conflict'; message: string };

export interface WriteOptions {
  /** 'server' sends the patch with dryRun=All (validated and defaulted, nothing stored, no backup). */
  dryRun: 'none' | 'server';
  backupDir: string;
  now: () => Date;
}

/** Guards the invariant every caller relies on: a merge patch that names the resourceVersion it was planned from. */
export function assertConditional(change: Change): void {
  const rv = (change.patch.metadata as { resourceVersion?: unknown } | undefined)?.resourceVersion;
  if (typeof rv !== 'string' || rv === '' || rv !== change.resourceVersion) {
    throw new Error(`internal error: the patch for ${change.target.namespace}/${change.target.name} is not conditional on resourceVersion ${change.resourceVersion}`);
  }
  if (change.target.kind !== 'PostgresCluster') {
    throw new Error(`internal error: kubectl pgo only patches PostgresClusters, not ${change.target.kind}`);
  }
}

/**
 * Writes one change. `before` is the object as read (the plan's base): it is saved first, and a
 * failure to save it stops the write.
 */
export async function writeChange(client: ApiClient, change: Change, before: KObject, opts: WriteOptions): Promise<WriteResult> {
  assertConditional(change);
  const query: Record<string, string> = { fieldManager: FIELD_MANAGER };
  if (opts.dryRun === 'server') query.dryRun = 'All';
  let backup = '';
  if (opts.dryRun === 'none') backup = writeBackup(opts.backupDir, before, opts.now());
  try {
    const object = await client.request<KObject>({ method: 'PATCH', path: objectPath(change.target), patchType: 'merge', query, body: change.patch });
    return opts.dryRun === 'server' ? { kind: 'dry-run', object } : { kind: 'written', object, backup };
  } catch (e) {
    const what = `${change.target.kind} ${change.target.namespace}/${change.target.name}`;
    const why = (e as Error).message.split('\n')[0].replace(/^error: /, '');
    // No answer, or one cut off: the server may have applied it. The backup stays, and says so.
    if (!(e instanceof ApiError) || e.status < 400) {
      throw new WriteFailed(
        `no complete answer to the patch of ${what} (${why}): it may or may not have been applied; nothing more was written. ` +
          (backup ? `It was saved before as ${backup} (restore: kubectl replace -f ${backup}); ` : '') +
          `see what it holds now: kubectl get ${change.target.plural} ${change.target.name} -n ${change.target.namespace} -o yaml`,
        true,
      );
    }
    // The server answered and refused: nothing was written, so the file would restore nothing.
    if (backup) unlinkSync(backup);
    if (isConflict(e)) {
      return {
        kind: 'conflict',
        message: `${change.target.kind} ${change.target.namespace}/${change.target.name} changed since it was read (resourceVersion ${change.resourceVersion}); nothing was written`,
      };
    }
    throw new WriteFailed(`the API server refused the patch of ${what}, so nothing was written to it: ${why}`, false);
  }
}

/** A write that failed: `maybeApplied` when no complete answer came (the change may be in place). */
export class WriteFailed extends ExitError {
  constructor(message: string, readonly maybeApplied: boolean) {
    super(message, 1);
    this.name = 'WriteFailed';
  }
}
