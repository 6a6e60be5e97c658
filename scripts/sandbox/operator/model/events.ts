// Events as PGO's recorder writes them (source/reportingComponent postgrescluster-controller).
import { randomBytes } from 'node:crypto';
import type { Kube, KObj } from './kube.ts';
import { PATH } from './paths.ts';

export interface EventRecorder {
  record(obj: KObj, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
}

export function apiEventRecorder(kube: Kube): EventRecorder {
  return {
    async record(obj, type, reason, message) {
      const ns = obj.metadata.namespace ?? 'default';
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      try {
        await kube.create(PATH.Event(ns), {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name: `${obj.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: ns },
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
      } catch {
        // Event delivery is best effort, as with client-go's recorder.
      }
    },
  };
}
