// `status --watch` keeps the last collected Snapshot and applies the watched kinds' events to it,
// so a change costs a report, not nine LISTs. Pure: the watches themselves are in watch-follow.ts.
// The kinds that are not watched (Events, Deployments, Jobs, the operator and its log) come from
// the last collection; the caller refreshes them now and then (rebase).
import type { WatchEvent } from '../kube/api.ts';
import type { KObject, Snapshot, SnapshotObjects, Unreadable } from '../model/types.ts';
import { shapeSnapshot } from '../snapshot/shape.ts';

/** The Snapshot lists a watch keeps current, by the resource the watch is opened on. */
export const WATCHED = {
  postgresclusters: 'postgresClusters',
  statefulsets: 'statefulSets',
  pods: 'pods',
  endpoints: 'endpoints',
  persistentvolumeclaims: 'pvcs',
  services: 'services',
} as const satisfies Record<string, keyof SnapshotObjects>;
export type WatchedResource = keyof typeof WATCHED;
export type WatchedList = (typeof WATCHED)[WatchedResource];

const KIND: Record<WatchedList, string> = {
  postgresClusters: 'PostgresCluster',
  statefulSets: 'StatefulSet',
  pods: 'Pod',
  endpoints: 'Endpoints',
  pvcs: 'PersistentVolumeClaim',
  services: 'Service',
};

const LISTS = new Set<string>(Object.values(WATCHED));
const unreadableKey = (u: Unreadable) => `${u.list} ${u.namespace ?? ''}/${u.name ?? ''}`;
const keyOf = (o: KObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** What is kept of an object the API sends: managedFields' field sets are never read (their times are). */
function kept(o: KObject, list: WatchedList): KObject {
  o.kind ??= KIND[list];
  for (const f of (o.metadata as { managedFields?: Array<{ fieldsV1?: unknown }> }).managedFields ?? []) delete f.fieldsV1;
  return o;
}

export class WatchCache {
  private base: Snapshot;
  /** Per watched list, its objects by "namespace/name", in the order they came (a Map keeps it). */
  private lists = new Map<WatchedList, Map<string, KObject>>();
  /** Objects replaced or removed since the base was collected ("list ns/name"). */
  private touched = new Set<string>();

  constructor(collected: Snapshot) {
    this.base = collected;
    for (const list of Object.values(WATCHED)) this.lists.set(list, new Map(collected.objects[list].map((o) => [keyOf(o), o])));
  }

  /** Applies one event of a watched resource; true when the objects changed. */
  apply(resource: string, e: WatchEvent): boolean {
    const list = WATCHED[resource as WatchedResource];
    if (!list || !e.object?.metadata || (e.type !== 'ADDED' && e.type !== 'MODIFIED' && e.type !== 'DELETED')) return false;
    const objects = this.lists.get(list)!;
    const key = keyOf(e.object);
    const had = objects.get(key);
    if (e.type === 'DELETED') {
      if (!had) return false;
      objects.delete(key);
    } else {
      // A watch opened without a resourceVersion starts with an ADDED event per existing object.
      if (had?.metadata.resourceVersion !== undefined && had.metadata.resourceVersion === e.object.metadata.resourceVersion) return false;
      objects.set(key, kept(e.object, list));
    }
    this.touched.add(`${list} ${key}`);
    return true;
  }

  /** A fresh LIST of one watched resource (its watch expired or failed) replaces what is kept of it; true when that changed anything. */
  replace(resource: string, items: KObject[]): boolean {
    const list = WATCHED[resource as WatchedResource];
    if (!list) return false;
    const before = this.lists.get(list)!;
    const after = new Map(items.map((o) => [keyOf(o), kept(o, list)]));
    let changed = before.size !== after.size;
    for (const [key, o] of after) {
      const had = before.get(key);
      if (had && had.metadata.resourceVersion !== undefined && had.metadata.resourceVersion === o.metadata.resourceVersion) continue;
      changed = true;
      this.touched.add(`${list} ${key}`);
    }
    for (const key of before.keys()) if (!after.has(key)) this.touched.add(`${list} ${key}`);
    this.lists.set(list, after);
    return changed;
  }

  /** The watched lists as they are now (a collection that refreshes only the other kinds takes them as they are). */
  watched(): Pick<SnapshotObjects, WatchedList> {
    return Object.fromEntries([...this.lists].map(([list, objects]) => [list, [...objects.values()]])) as Pick<SnapshotObjects, WatchedList>;
  }

  /** A new collection of the kinds not watched (made from watched()): the base from now on. */
  rebase(collected: Snapshot): void {
    // The watched objects' problems: those found when first collected stay until an event
    // replaces the object; the ones replaced are shaped again by every snapshot().
    const isWatched = (u: Unreadable) => LISTS.has(u.list);
    const carried = (this.base.unreadable ?? []).filter((u) => isWatched(u) && !this.touched.has(unreadableKey(u)));
    this.base = { ...collected, unreadable: [...(collected.unreadable ?? []).filter((u) => !isWatched(u)), ...carried] };
  }

  /** The Snapshot now: the collected one with the events applied, held to the engine's shapes again. */
  snapshot(now: Date): Snapshot {
    const raw: Snapshot = { ...this.base, takenAt: now.toISOString(), objects: { ...this.base.objects, ...this.watched() }, unreadable: undefined };
    const shaped = shapeSnapshot(raw);
    // Problems found in the collection stay, except for the objects that events replaced (shaped again just now).
    const kept = (this.base.unreadable ?? []).filter((u) => !this.touched.has(unreadableKey(u)));
    const fresh = (shaped.unreadable ?? []).filter((u) => this.touched.has(unreadableKey(u)));
    return { ...shaped, unreadable: [...kept, ...fresh] };
  }
}
