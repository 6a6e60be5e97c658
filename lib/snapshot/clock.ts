// The moment a dump was taken, read from the dump itself: the latest timestamp the cluster wrote
// into it (Patroni's leader lease renewal, condition transitions, events, container starts).

import type { KObject } from '../model/types.ts';

const CONDITION_TIMES = ['lastTransitionTime', 'lastUpdateTime', 'lastHeartbeatTime', 'lastProbeTime'];
const EVENT_TIMES = ['lastTimestamp', 'firstTimestamp', 'eventTime'];

/** Milliseconds since the epoch of the latest timestamp found, or undefined. */
export function latestTimestamp(objects: KObject[]): number | undefined {
  let max = -Infinity;
  const see = (v: unknown) => {
    if (typeof v !== 'string' || v.length < 10) return;
    const t = Date.parse(v);
    if (!Number.isNaN(t) && t > max) max = t;
  };
  for (const o of objects) {
    const m = o.metadata;
    see(m.creationTimestamp);
    see(m.deletionTimestamp);
    see(m.annotations?.renewTime);
    for (const f of (m as { managedFields?: Array<{ time?: string }> }).managedFields ?? []) see(f.time);
    for (const c of o.status?.conditions ?? []) for (const k of CONDITION_TIMES) see(c?.[k]);
    see(o.status?.startTime);
    see(o.status?.completionTime);
    for (const cs of [...(o.status?.containerStatuses ?? []), ...(o.status?.initContainerStatuses ?? [])]) {
      see(cs?.state?.running?.startedAt);
      see(cs?.state?.terminated?.finishedAt);
      see(cs?.lastState?.terminated?.finishedAt);
    }
    if (o.kind === 'Event') {
      for (const k of EVENT_TIMES) see(o[k]);
      see(o.series?.lastObservedTime);
    }
  }
  return max === -Infinity ? undefined : max;
}
