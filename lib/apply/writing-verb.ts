// What the writing verbs (heal, switchover) share around their own logic: the dependencies they
// take (so tests drive them with a fake world and clock), the real ones, and how a run reports:
// text on stdout, or with -o json|yaml the result document on stdout and the text on stderr.
import { dump } from 'js-yaml';
import type { GlobalFlags } from '../cli/global-flags.ts';
import type { IO } from '../cli/io.ts';
import type { CollectOptions, Scope } from '../collect/collect.ts';
import type { ApiClient } from '../kube/api.ts';
import type { CheckOptions, Finding, Snapshot } from '../model/types.ts';
import type { ClusterView } from '../view/cluster-view.ts';
import type { WriteFlags } from './flags.ts';

export interface WriteVerbDeps {
  connect(flags: GlobalFlags): Promise<ApiClient>;
  collect(client: ApiClient, scope: Scope, options?: CollectOptions): Promise<Snapshot>;
  buildClusterViews(snap: Snapshot): ClusterView[];
  runChecks(snap: Snapshot, opts: CheckOptions): Finding[];
  now(): Date;
  sleep(ms: number): Promise<void>;
  /** Time between two looks while waiting (default 1 s). */
  pollMs?: number;
}

/** The real dependencies, loaded only when a verb runs. */
export async function defaultWriteVerbDeps(): Promise<WriteVerbDeps> {
  const [{ buildClusterViews }, { runChecks }, { connect }, { collect }] = await Promise.all([
    import('../view/cluster-view.ts'),
    import('../checks/index.ts'),
    import('../kube/connect.ts'),
    import('../collect/collect.ts'),
  ]);
  return { connect, collect, buildClusterViews, runChecks, now: () => new Date(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
}

export interface Reporter {
  /** Progress text for the person: stdout, or stderr when stdout carries the -o document. */
  say(text: string): void;
  /** The result document, printed only with -o json|yaml. */
  emit(result: unknown): void;
}

export function reporter(io: IO, output: WriteFlags['output']): Reporter {
  const machine = output !== undefined;
  return {
    say: (t) => (machine ? io.err(t) : io.out(t)),
    emit: (result) => {
      if (machine) io.out(output === 'json' ? JSON.stringify(result, null, 2) + '\n' : dump(result, { noRefs: true, lineWidth: -1 }));
    },
  };
}

/** A duration for the progress lines: "12.3s". */
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
