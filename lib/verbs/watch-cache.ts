// `status --watch` keeps the last collected Snapshot and applies the watched kinds' events to it,
// so a change costs a report, not nine LISTs. Pure: the watches themselves are in watch-follow.ts.
// The kinds that are not watched (Events, Deployments, Jobs, the operator and its log) come from
// the last collection; the caller refreshes them now and then (rebase).
import type { WatchEvent } from '../kube/api.ts';
import type { KObject, Snapshot, SnapshotObjects, Unreadable } from '../model/types.ts';
import { shapeSnapshot } from '../snapshot/shape.ts';
import { compileProjection, project } from '../kube/projection.ts';
import { statusProjection } from '../kube/status-lists.ts';

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

/** What is kept of an object the API sends: what the first LIST kept of its kind, so a long watch holds no more of an object than the collection did. */
function kept(o: KObject, list: WatchedList): KObject {
  o.kind ??= KIND[list];
  return project(o, compileProjection(statusProjection(list))) as KObject;
}

/** One object (or a LIST) held to the engine's shapes: what may be read of it, and its problems. */
function shaped(list: WatchedList, raw: KObject[]): { objects: KObject[]; unreadable: Unreadable[] } {
  const s = shapeSnapshot({ objects: { [list]: raw } } as unknown as Snapshot);
  return { objects: s.objects[list], unreadable: s.unreadable ?? [] };
}

export class WatchCache {
  private base: Snapshot;
  /** Per watched list, its objects (shaped) by "namespace/name", in the order they came (a Map keeps it). */
  private lists = new Map<WatchedList, Map<string, KObject>>();
  /** The problems of the objects events brought ("list ns/name" -> entries); they replace the collection's. */
  private fresh = new Map<string, Unreadable[]>();
  /** Lists a fresh LIST replaced whole: none of the collection's problems of them stand. */
  private relisted = new Set<string>();

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
      this.fresh.set(`${list} ${key}`, []);
      return true;
    }
    // A watch opened without a resourceVersion starts with an ADDED event per existing object.
    if (had?.metadata.resourceVersion !== undefined && had.metadata.resourceVersion === e.object.metadata.resourceVersion) return false;
    // Only the object the event brings is shaped: a change costs one object, not the fleet.
    const one = shaped(list, [kept(e.object, list)]);
    if (one.objects.length) objects.set(key, one.objects[0]);
    else objects.delete(key);
    this.fresh.set(`${list} ${key}`, one.unreadable);
    return true;
  }

  /** A fresh LIST of one watched resource (its watch expired or failed) replaces what is kept of it; true when that changed anything. */
  replace(resource: string, items: KObject[]): boolean {
    const list = WATCHED[resource as WatchedResource];
    if (!list) return false;
    const before = this.lists.get(list)!;
    const all = shaped(list, items.map((o) => kept(o, list)));
    const after = new Map(all.objects.map((o) => [keyOf(o), o]));
    const changed = before.size !== after.size || [...after].some(([key, o]) => before.get(key)?.metadata.resourceVersion !== o.metadata.resourceVersion);
    this.lists.set(list, after);
    this.relisted.add(list);
    for (const k of [...this.fresh.keys()]) if (k.startsWith(`${list} `)) this.fresh.delete(k);
    for (const u of all.unreadable) this.fresh.set(unreadableKey(u), [...(this.fresh.get(unreadableKey(u)) ?? []), u]);
    return changed;
  }

  /** The watched lists as they are now (a collection that refreshes only the other kinds takes them as they are). */
  watched(): Pick<SnapshotObjects, WatchedList> {
    return Object.fromEntries([...this.lists].map(([list, objects]) => [list, [...objects.values()]])) as Pick<SnapshotObjects, WatchedList>;
  }

  /** A new collection of the kinds not watched (made from watched()): the base from now on. */
  rebase(collected: Snapshot): void {
    // The watched objects' problems stay as they were known: from the first collection, or from
    // the events and LISTs since (the objects handed to the collection were shaped already).
    const isWatched = (u: Unreadable) => LISTS.has(u.list);
    this.base = { ...collected, unreadable: [...(collected.unreadable ?? []).filter((u) => !isWatched(u)), ...(this.base.unreadable ?? []).filter(isWatched)] };
  }

  /** The Snapshot now: the collected one with the events applied (every object in it is shaped already). */
  snapshot(now: Date): Snapshot {
    const kept = (this.base.unreadable ?? []).filter((u) => !this.relisted.has(u.list) && !this.fresh.has(unreadableKey(u)));
    return { ...this.base, takenAt: now.toISOString(), objects: { ...this.base.objects, ...this.watched() }, unreadable: [...kept, ...[...this.fresh.values()].flat()] };
  }
}
