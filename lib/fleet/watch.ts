// --watch over a fleet: each readable context keeps the same watches as a single-context watch
// (clusters, StatefulSets, pods); a change in one context collects that context again, not the
// fleet. An unreadable context is tried again every UNREADABLE_RETRY_MS.
import type { IO } from '../cli/io.ts';
import type { StatusDeps } from '../verbs/status.ts';
import { keepWatching, sleep, stopSignal, watchTargets } from '../verbs/status.ts';
import { mapBounded } from './run.ts';
import type { ContextReport } from './report.ts';
import type { ApiClient } from '../kube/api.ts';
import type { Scope } from '../collect/collect.ts';

const UNREADABLE_RETRY_MS = 30_000;

interface Live {
  context: string;
  client?: ApiClient;
  scope?: Scope;
  result: ContextReport;
}

export async function watchFleet<L extends Live>(
  initial: L[],
  deps: StatusDeps,
  io: IO,
  limit: number,
  reread: (i: number) => Promise<L>,
  changed: (lives: L[]) => void,
): Promise<void> {
  const { signal, dispose } = stopSignal(deps);
  const minInterval = deps.minIntervalMs ?? 1000;
  const rewatchDelay = deps.rewatchDelayMs ?? 1000;
  let lives = initial;
  const dirty = new Set<number>();
  let wake: (() => void) | undefined;
  const poke = (i: number) => {
    dirty.add(i);
    wake?.();
  };
  const watching = new Set<number>();
  const watchers: Promise<void>[] = [];
  const startWatches = () => {
    lives.forEach((l, i) => {
      if (watching.has(i) || !l.client || !l.scope || !l.result.report) return;
      watching.add(i);
      const targets = watchTargets({ pgo: { apiVersions: l.result.report.operator.apiVersions } }, l.scope);
      for (const t of targets) watchers.push(keepWatching(l.client, t, () => poke(i), signal, rewatchDelay, io));
    });
  };
  startWatches();
  const retry = setInterval(() => lives.forEach((l, i) => l.result.state === 'Unreadable' && poke(i)), UNREADABLE_RETRY_MS);
  let key = lives.map((l) => keyOf(l.result)).join('\n');
  let last = Date.now();
  try {
    while (!signal.aborted) {
      if (dirty.size === 0) {
        await new Promise<void>((resolve) => {
          const done = () => {
            signal.removeEventListener('abort', done);
            resolve();
          };
          wake = done;
          signal.addEventListener('abort', done, { once: true });
        });
        wake = undefined;
        continue;
      }
      const wait = last + minInterval - Date.now();
      if (wait > 0) await sleep(wait, signal);
      if (signal.aborted) break;
      const todo = [...dirty];
      dirty.clear();
      last = Date.now();
      const fresh = await mapBounded(todo, limit, (i) => reread(i));
      if (signal.aborted) break;
      lives = lives.map((l, i) => (todo.includes(i) ? fresh[todo.indexOf(i)] : l));
      startWatches();
      const next = lives.map((l) => keyOf(l.result)).join('\n');
      if (next !== key) {
        key = next;
        changed(lives);
      }
    }
  } finally {
    clearInterval(retry);
    dispose();
    await Promise.race([Promise.allSettled(watchers), new Promise((r) => setTimeout(r, 2000).unref())]);
  }
}

/** What a context's report says, without the times that change on every collection. */
const TIMES = new Set(['generatedAt', 'observedAt', 'ageSeconds']);
function keyOf(r: ContextReport): string {
  return JSON.stringify(r, (k, v) => (TIMES.has(k) ? undefined : v));
}
