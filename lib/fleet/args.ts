// --contexts / --all-contexts / --context-concurrency, validated as one kubectl-style line each.
import { UsageError } from '../cli/exit.ts';
import type { GlobalFlags } from '../cli/global-flags.ts';

export interface FleetArgs {
  contexts?: string[] | 'all';
  contextConcurrency?: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function parseFleetArgs(argv: any, flags: GlobalFlags, other: { from?: string; watch: boolean; output: string }): FleetArgs {
  const raw = argv.contexts;
  const all = Boolean(argv.allContexts ?? argv['all-contexts']);
  const list = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
    .flatMap((x: unknown) => String(x).split(','))
    .map((x: string) => x.trim())
    .filter((x: string) => x !== '');
  const rawLimit = argv.contextConcurrency ?? argv['context-concurrency'];
  if (raw !== undefined && list.length === 0) throw new UsageError('error: --contexts needs at least one context name (a,b,c)');
  if (!all && list.length === 0) {
    if (rawLimit !== undefined) throw new UsageError('error: --context-concurrency needs --contexts or --all-contexts');
    return {};
  }
  if (all && list.length) throw new UsageError('error: --contexts and --all-contexts cannot be used together; drop one of them');
  const which = all ? '--all-contexts' : '--contexts';
  if (flags.context) throw new UsageError(`error: --context cannot be used with ${which}; name it in --contexts instead`);
  if (other.from !== undefined) throw new UsageError(`error: ${which} cannot be used with --from: a dump holds one context`);
  if (other.watch && other.output === 'prometheus') throw new UsageError('error: -o prometheus cannot be used with --watch: metrics are read once per scrape');
  let contextConcurrency: number | undefined;
  if (rawLimit !== undefined) {
    contextConcurrency = Number(rawLimit);
    if (!Number.isInteger(contextConcurrency) || contextConcurrency < 1) {
      throw new UsageError(`error: invalid argument "${rawLimit}" for "--context-concurrency" flag: a whole number of at least 1`);
    }
  }
  return { contexts: all ? 'all' : [...new Set(list)], contextConcurrency };
}
