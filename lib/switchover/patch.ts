// The switchover request and its clean-up, as conditional merge patches on the PostgresCluster.
import { LABEL } from '../model/types.ts';
import type { SwitchoverType } from './types.ts';

/** Enables the switchover with target and type and sets a fresh trigger: one write, so PGO never sees half a request. */
export function requestPatch(resourceVersion: string, targetInstance: string, type: SwitchoverType, trigger: string): Record<string, unknown> {
  return {
    metadata: { resourceVersion, annotations: { [LABEL.triggerSwitchover]: trigger } },
    spec: { patroni: { switchover: { enabled: true, targetInstance, type } } },
  };
}

/** A trigger value nobody used before: the time, to the millisecond, plus a little randomness. */
export function freshTrigger(now: Date, random: () => number = Math.random): string {
  return `${now.toISOString()}-${Math.floor(random() * 0xffff).toString(16).padStart(4, '0')}`;
}
