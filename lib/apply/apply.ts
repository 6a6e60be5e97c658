// Applies a plan, one conditional write per object. On a 409 the plan is thrown away: the objects
// are read again, a new plan is made from what is there now, shown, and confirmed again before
// anything is written. A plan that became empty (someone else fixed it) ends the loop.
import type { ApiClient } from '../kube/api.ts';
import type { KObject } from '../model/types.ts';
import { ExitError } from '../cli/exit.ts';
import { WriteFailed, writeChange } from './writer.ts';
import { refKey, type Change, type Planned } from './types.ts';

export interface AppliedWrite {
  change: Change;
  backup?: string;
  /** The object the server returned (dry run: the object it would store). */
  object: KObject;
}

export interface ApplyOutcome {
  result: 'applied' | 'dry-run' | 'declined' | 'nothing-left' | 'conflict-limit';
  writes: AppliedWrite[];
  conflicts: string[];
  /** The plan that was finally applied (after any re-plans). */
  planned: Planned;
}

export interface ApplyHooks {
  /** Re-reads the objects and plans again (after a conflict). */
  replan: () => Promise<Planned>;
  /** Prints a plan. */
  show: (p: Planned, why: 'replanned') => void;
  /** Asks again after a re-plan; false declines (nothing more is written). */
  confirm: (p: Planned) => Promise<boolean>;
  /** One line of progress ("saved ...", "patched ..."). */
  log: (line: string) => void;
}

export interface ApplyOptions {
  dryRun: 'none' | 'server';
  backupDir: string;
  now: () => Date;
  /** Re-plans allowed before giving up (someone keeps editing the object). */
  maxConflicts?: number;
}

export async function applyPlanned(client: ApiClient, first: Planned, hooks: ApplyHooks, opts: ApplyOptions): Promise<ApplyOutcome> {
  const writes: AppliedWrite[] = [];
  const conflicts: string[] = [];
  const max = opts.maxConflicts ?? 3;
  let planned = first;
  for (;;) {
    let conflict: string | undefined;
    for (const change of planned.changes) {
      const before = planned.before.get(refKey(change.target));
      if (!before) throw new Error(`internal error: no object read for ${refKey(change.target)}`);
      let r: Awaited<ReturnType<typeof writeChange>>;
      try {
        r = await writeChange(client, change, before, { dryRun: opts.dryRun, backupDir: opts.backupDir, now: opts.now });
      } catch (e) {
        if (!(e instanceof WriteFailed)) throw e;
        // One line: what failed, what was written before it (with its backup), what was not.
        const done = writes.filter((w) => w.backup).map((w) => `${w.change.target.kind} ${w.change.target.namespace}/${w.change.target.name} (backup ${w.backup})`);
        const left = planned.changes.slice(planned.changes.indexOf(change) + 1).map((c) => `${c.target.namespace}/${c.target.name}`);
        throw new ExitError(
          `error: ${e.message}${done.length ? `; written before it: ${done.join(', ')}` : '; nothing else was written'}${left.length ? `; not attempted: ${left.join(', ')}` : ''}`,
          1,
        );
      }
      if (r.kind === 'conflict') {
        conflict = r.message;
        break;
      }
      if (r.kind === 'written') {
        hooks.log(`saved ${change.target.kind} ${change.target.namespace}/${change.target.name} as it was to ${r.backup} (restore: kubectl replace -f ${r.backup})`);
        hooks.log(`patched ${change.target.kind} ${change.target.namespace}/${change.target.name}: ${change.summary} (resourceVersion ${change.resourceVersion} -> ${r.object.metadata?.resourceVersion ?? '?'})`);
        writes.push({ change, backup: r.backup, object: r.object });
      } else {
        hooks.log(`server dry run accepted for ${change.target.kind} ${change.target.namespace}/${change.target.name}: ${change.summary} (nothing was changed)`);
        writes.push({ change, object: r.object });
      }
    }
    if (!conflict) return { result: opts.dryRun === 'server' ? 'dry-run' : 'applied', writes, conflicts, planned };
    conflicts.push(conflict);
    hooks.log(`conflict: ${conflict}; reading it again and making a new plan`);
    if (conflicts.length > max) return { result: 'conflict-limit', writes, conflicts, planned };
    planned = await hooks.replan();
    if (planned.changes.length === 0) return { result: 'nothing-left', writes, conflicts, planned };
    hooks.show(planned, 'replanned');
    // A server dry run stores nothing, so its new plan needs no yes, as its first did not.
    if (opts.dryRun !== 'server' && !(await hooks.confirm(planned))) return { result: 'declined', writes, conflicts, planned };
  }
}
