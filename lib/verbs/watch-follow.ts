// One watched kind of `status --watch`, followed from the resourceVersion of the LIST the
// Snapshot came from, so no change between the LIST and the watch is missed. The server ends
// watches now and then: the next one starts from the last resourceVersion seen (bookmarks keep it
// recent), with no LIST. A watch that fails (410 Gone: that version is compacted away, a network
// error, an ERROR event) is followed by a fresh LIST of that kind only, and a watch from there.
import type { ApiClient, WatchEvent } from '../kube/api.ts';
import type { KObject } from '../model/types.ts';
import type { IO } from '../cli/io.ts';
import { permissionOf } from '../report/gaps.ts';

export interface FollowTarget {
  resource: string;
  path: string;
  query: Record<string, string | undefined>;
}

export interface FollowHooks {
  /** Each ADDED, MODIFIED or DELETED event. */
  onEvent(e: WatchEvent): void;
  /** A fresh LIST of the kind (after a failed watch). */
  onList(items: KObject[]): void;
}

class WatchFailed extends Error {}

/** The one warning line for a watch that cannot be opened (the rest of the report goes on). */
export function cannotWatchLine(t: FollowTarget, e: unknown): string {
  const status = (e as { status?: number }).status;
  const reason = status === 403 ? 'forbidden' : (e instanceof Error ? e.message : String(e)).split('\n')[0];
  const ns = t.path.includes('/namespaces/') ? ` in namespace "${decodeURIComponent(t.path.split('/namespaces/')[1].split('/')[0])}"` : '';
  // Only a refusal is a permission to ask for; a reset or a 500 is not.
  const ask = status === 403 ? ` (ask for: ${permissionOf('watch', t.resource)})` : '';
  return `Warning: cannot watch ${t.resource}${ns}: ${reason.replace(/^error: /, '')}${ask}; retrying\n`;
}

/** Follows `t` until the signal aborts; `resourceVersion`: the collection's LIST's (undefined: from now, with an ADDED per object). */
export async function followKind(
  client: ApiClient,
  t: FollowTarget,
  from: string | undefined,
  hooks: FollowHooks,
  signal: AbortSignal,
  delayMs: number,
  io: IO,
  sleep: (ms: number, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  let rv = from;
  let warned = false;
  let relist = false;
  while (!signal.aborted) {
    try {
      if (relist) {
        const listed = await client.list(t.path, { labelSelector: t.query.labelSelector, fieldSelector: t.query.fieldSelector });
        rv = listed.resourceVersion || undefined;
        relist = false;
        hooks.onList(listed.items);
      }
      await client.watch(t.path, { ...t.query, allowWatchBookmarks: 'true', ...(rv ? { resourceVersion: rv } : {}) }, (e: WatchEvent) => {
        if (e.type === 'ERROR') throw new WatchFailed(`${(e.object as { message?: string }).message ?? 'the watch ended with an error'}`);
        const seen = e.object?.metadata?.resourceVersion;
        if (seen) rv = seen;
        if (e.type !== 'BOOKMARK') hooks.onEvent(e);
      }, signal);
      // The server ended the watch (its timeout): the next one goes on from rv.
      await sleep(Math.min(delayMs, 1000), signal);
    } catch (e) {
      if (signal.aborted) return;
      relist = true;
      const status = (e as { status?: number }).status;
      // 410 Gone (rv compacted away) and errors inside the stream are expected now and then: relisted silently.
      if (!warned && !(e instanceof WatchFailed) && status !== 410) {
        io.err(cannotWatchLine(t, e));
        warned = true;
      }
      // Without watch permission, a LIST every few seconds still notices changes (a slow poll).
      await sleep(status === 403 ? 5 * delayMs : delayMs, signal);
    }
  }
}
