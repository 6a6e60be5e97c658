// Events as PGO's recorder (client-go's broadcaster behind controller-runtime) writes them:
// source/reportingComponent postgrescluster-controller, named <object>.<unix nanos in hex>. A
// repeat of the same event (object, type, reason, message) bumps count and lastTimestamp of the
// Event already written instead of making a new one, and each object may have 25 events at once,
// then one more every 5 minutes (client-go's spam filter): a failure repeated on every reconcile
// stops updating its Event after a while. Every event recorded is also logged at debug level.
import type { KObj } from '../../kube/types.ts';
import type { Kube } from '../../kube/client.ts';
import { rfc3339, type Logger } from './log.ts';
import { PATH } from './paths.ts';

export interface EventRecorder {
  record(obj: KObj, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
}

const BURST = 25;
const REFILL_MS = 5 * 60_000;

/** Go's %v of the event's corev1.ObjectReference, as the recorder's debug line prints it. */
export function objectReference(obj: KObj): string {
  const m = obj.metadata;
  return `{${obj.kind} ${m.namespace ?? ''} ${m.name} ${m.uid ?? ''} ${obj.apiVersion} ${m.resourceVersion ?? ''} }`;
}

/** client-go's spam filter: a token bucket per involved object. */
export class SpamFilter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  allow(key: string, now: number): boolean {
    const b = this.buckets.get(key) ?? { tokens: BURST, at: now };
    b.tokens = Math.min(BURST, b.tokens + (now - b.at) / REFILL_MS);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

export function apiEventRecorder(kube: Kube, log: Logger, clock: () => Date = () => new Date()): EventRecorder {
  const written = new Map<string, { name: string; count: number }>();
  const spam = new SpamFilter();
  return {
    async record(obj, type, reason, message) {
      const ns = obj.metadata.namespace ?? 'default';
      const t = clock();
      if (!spam.allow(`${ns}/${obj.kind}/${obj.metadata.name}/${obj.metadata.uid}`, t.getTime())) return;
      log.debug(message, { object: objectReference(obj), reason, type });
      const now = rfc3339(t);
      const key = [ns, obj.metadata.uid, type, reason, message].join('\x00');
      const seen = written.get(key);
      if (seen) {
        try {
          await kube.mergePatch(`${PATH.Event(ns)}/${seen.name}`, { count: seen.count + 1, lastTimestamp: now });
          seen.count += 1;
          return;
        } catch {
          written.delete(key); // gone (its TTL passed): client-go writes a new one
        }
      }
      try {
        const name = `${obj.metadata.name}.${(BigInt(t.getTime()) * 1_000_000n + BigInt(process.hrtime()[1] % 1_000_000)).toString(16)}`;
        await kube.create(PATH.Event(ns), {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name, namespace: ns },
          involvedObject: {
            apiVersion: obj.apiVersion,
            kind: obj.kind,
            name: obj.metadata.name,
            namespace: ns,
            uid: obj.metadata.uid,
            resourceVersion: obj.metadata.resourceVersion,
          },
          type,
          reason,
          message,
          source: { component: 'postgrescluster-controller' },
          reportingComponent: 'postgrescluster-controller',
          reportingInstance: '',
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        });
        written.set(key, { name, count: 1 });
      } catch {
        // Event delivery is best effort, as with client-go's recorder.
      }
    },
  };
}
