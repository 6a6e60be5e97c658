// Patroni tags that make a member ineligible: nofailover (and failover_priority 0 in Patroni >= 3.2).
// Read from the member JSON Patroni writes on the pod and from the instance's patroni.yaml.
import type { KObject } from '../model/types.ts';

export type Tags = Record<string, unknown>;

export function memberTags(pod: KObject | undefined): Tags | undefined {
  const raw = pod?.metadata.annotations?.status;
  if (!raw) return undefined;
  try {
    const j = JSON.parse(raw);
    return j && typeof j.tags === 'object' && j.tags !== null ? (j.tags as Tags) : undefined;
  } catch {
    return undefined;
  }
}

function truthy(v: unknown): boolean {
  return v === true || (typeof v === 'string' && /^(true|yes|on|1)$/i.test(v.trim())) || v === 1;
}

/** The tag that forbids promoting this member, as "name=value", or undefined. */
export function blockingTag(tags: Tags | undefined): string | undefined {
  if (!tags) return undefined;
  if (truthy(tags.nofailover)) return `nofailover=${String(tags.nofailover)}`;
  if (tags.failover_priority !== undefined && Number(tags.failover_priority) === 0) return 'failover_priority=0';
  return undefined;
}
