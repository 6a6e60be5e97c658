// When the spec PGO should be acting on was written, and when an Event happened: the two times
// the event, generation and health rules compare. Pure; the clock is the snapshot's.
import type { KObject } from '../model/types.ts';

/** The moment after which PGO's words are about the current spec. */
export interface SpecTime {
  /** Milliseconds since the epoch. */
  at: number;
  /** managedFields: the latest write to the object other than its status (an upper bound of the
   *  spec change, since labels and annotations are written the same way); creationTimestamp: no
   *  managedFields (a `kubectl get -o yaml` dump hides them), so only the creation is known. */
  source: 'managedFields' | 'creationTimestamp';
}

interface ManagedField {
  time?: string;
  subresource?: string;
  operation?: string;
}

/**
 * The latest write to the PostgresCluster's spec or metadata. The API server stamps each field
 * manager's entry with the time of its last change; PGO itself writes only the status
 * subresource (and its finalizer at creation), so the latest non-status entry is at or after
 * the latest spec change. Using it errs on the late side: a delay measured from it is never
 * longer than the real one, so SpecNotObserved never fires early, and an Event older than it
 * is old for sure.
 */
export function lastSpecWrite(pc: KObject): SpecTime | undefined {
  const raw: unknown = (pc.metadata as { managedFields?: unknown } | undefined)?.managedFields;
  const fields: ManagedField[] = Array.isArray(raw) ? raw : [];
  let latest = -Infinity;
  for (const f of fields) {
    if (!f || typeof f !== 'object' || (f.subresource && f.subresource !== '')) continue;
    const t = typeof f.time === 'string' ? Date.parse(f.time) : NaN;
    if (!Number.isNaN(t) && t > latest) latest = t;
  }
  if (latest !== -Infinity) return { at: latest, source: 'managedFields' };
  const created = Date.parse(pc.metadata?.creationTimestamp ?? '');
  return Number.isNaN(created) ? undefined : { at: created, source: 'creationTimestamp' };
}

export interface EventTimes {
  first?: string;
  last?: string;
  count: number;
}

/** First and last occurrence and count of an Event, core/v1 or events.k8s.io/v1 shaped. */
export function eventTimes(e: KObject): EventTimes {
  const last = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
  const first = e.firstTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? last;
  const count = typeof e.series?.count === 'number' ? e.series.count : typeof e.count === 'number' && e.count > 0 ? e.count : 1;
  return { first: first ?? undefined, last: last ?? undefined, count };
}

/** "17:11:47 UTC" - times in remedies and messages, in UTC so a pasted report means the same everywhere. */
export function clockTime(iso: string | number | undefined): string {
  if (iso === undefined) return 'an unknown time';
  const t = typeof iso === 'number' ? iso : Date.parse(iso);
  if (Number.isNaN(t)) return String(iso);
  return `${new Date(t).toISOString().slice(11, 19)} UTC`;
}

/** "3m10s" for a span in milliseconds. */
export function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  const h = Math.floor(m / 60);
  return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
}
