// `status --watch` keeps the last collected Snapshot and applies the watched objects' events to
// it (PostgresClusters, StatefulSets, pods), so a change costs a report, not nine LISTs. The
// kinds that are not watched are refreshed by a full collection now and then (the caller's resync).
import type { WatchEvent } from '../kube/api.ts';
import type { KObject, Snapshot, SnapshotObjects, Unreadable } from '../model/types.ts';
import { shapeSnapshot } from '../snapshot/shape.ts';

const LIST_OF: Record<string, 'postgresClusters' | 'statefulSets' | 'pods'> = {
  postgresclusters: 'postgresClusters',
  statefulsets: 'statefulSets',
  pods: 'pods',
};

const keyOf = (o: KObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

export class WatchCache {
  private base: Snapshot;
  private lists: Pick<SnapshotObjects, 'postgresClusters' | 'statefulSets' | 'pods'>;
  /** Objects replaced or removed by events since the last collection ("list ns/name"). */
  private touched = new Set<string>();

  constructor(collected: Snapshot) {
    this.base = collected;
    this.lists = { postgresClusters: [...collected.objects.postgresClusters], statefulSets: [...collected.objects.statefulSets], pods: [...collected.objects.pods] };
  }

  /** Applies one event of `resource` (as watchTargets names them); true when the objects changed. */
  apply(resource: string, e: WatchEvent): boolean {
    const name = LIST_OF[resource];
    if (!name || !e.object?.metadata || (e.type !== 'ADDED' && e.type !== 'MODIFIED' && e.type !== 'DELETED')) return false;
    const list = this.lists[name];
    const key = keyOf(e.object);
    const at = list.findIndex((o) => keyOf(o) === key);
    if (e.type === 'DELETED') {
      if (at < 0) return false;
      list.splice(at, 1);
    } else {
      // A watch opened without a resourceVersion starts with an ADDED event per existing object.
      if (at >= 0 && list[at].metadata.resourceVersion !== undefined && list[at].metadata.resourceVersion === e.object.metadata.resourceVersion) return false;
      const obj = e.object;
      obj.kind ??= name === 'postgresClusters' ? 'PostgresCluster' : name === 'statefulSets' ? 'StatefulSet' : 'Pod';
      for (const f of (obj.metadata as { managedFields?: Array<{ fieldsV1?: unknown }> }).managedFields ?? []) delete f.fieldsV1;
      if (at >= 0) list[at] = obj;
      else list.push(obj);
    }
    this.touched.add(`${name} ${key}`);
    return true;
  }

  /** The Snapshot now: the collected one with the events applied, held to the engine's shapes again. */
  snapshot(now: Date): Snapshot {
    const raw: Snapshot = { ...this.base, takenAt: now.toISOString(), objects: { ...this.base.objects, ...this.lists }, unreadable: undefined };
    const shaped = shapeSnapshot(raw);
    // Problems found in the collection stay, except for the objects that events replaced (shaped again just now).
    const kept = (this.base.unreadable ?? []).filter((u: Unreadable) => !this.touched.has(`${u.list} ${u.namespace ?? ''}/${u.name ?? ''}`));
    const fresh = (shaped.unreadable ?? []).filter((u: Unreadable) => this.touched.has(`${u.list} ${u.namespace ?? ''}/${u.name ?? ''}`));
    return { ...shaped, unreadable: [...kept, ...fresh] };
  }
}
