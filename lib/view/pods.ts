// Facts about a pod as kubelet reports them.
import type { KObject } from '../model/types.ts';

export function isPodReady(pod: KObject | undefined): boolean {
  const conds: Array<{ type?: string; status?: string }> = pod?.status?.conditions ?? [];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

export function restartsOf(pod: KObject | undefined): number {
  const cs: Array<{ restartCount?: number }> = pod?.status?.containerStatuses ?? [];
  return cs.reduce((n, c) => n + (typeof c.restartCount === 'number' ? c.restartCount : 0), 0);
}

/** Whether the named container is running; known=false when the pod reports no status for it. */
export function containerRunning(pod: KObject | undefined, container: string): { running: boolean; known: boolean } {
  const cs: Array<{ name?: string; state?: { running?: unknown } }> = pod?.status?.containerStatuses ?? [];
  const c = cs.find((x) => x.name === container);
  if (!c) return { running: false, known: false };
  return { running: !!c.state?.running, known: true };
}

/** Objects in name order, so every view and finding comes out the same way twice. */
export function byName(a: KObject, b: KObject): number {
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}
