// Patroni's view of a member, read from what Patroni itself writes into Kubernetes objects:
// the pod annotation `status` (member JSON) and the `<cluster>-ha` Endpoints annotations.
// Nothing here execs into a pod.
import type { KObject } from '../model/types.ts';

export interface PatroniMember {
  role?: string;
  state?: string;
  timeline?: number;
  /** WAL position Patroni reports for the member (bytes). For a replica Patroni writes the
   *  furthest of received and replayed, which is what `patronictl list` computes lag from. */
  xlogLocation?: number;
  replicationState?: string;
  pendingRestart?: boolean;
}

/** A WAL position as Patroni writes it (integer bytes) or as PostgreSQL prints it ("16/B374D848"). */
export function parseLsn(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(s);
  if (m) return parseInt(m[1], 16) * 2 ** 32 + parseInt(m[2], 16);
  return undefined;
}

/** The member JSON of a pod, or undefined when Patroni has not written one (or it is not JSON). */
export function memberOf(pod: KObject | undefined): PatroniMember | undefined {
  const raw = pod?.metadata.annotations?.status;
  if (!raw) return undefined;
  let j: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== 'object') return undefined;
    j = parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  // Older and newer Patroni releases name the receive/replay positions differently; xlog_location
  // is the one every release writes, the others are fallbacks.
  const positions = ['xlog_location', 'receive_lsn', 'receive_location', 'replay_lsn', 'replay_location']
    .map((k) => parseLsn(j[k]))
    .filter((n): n is number => n !== undefined);
  const timeline = typeof j.timeline === 'number' ? j.timeline : parseLsn(j.timeline);
  return {
    role: typeof j.role === 'string' ? j.role : undefined,
    state: typeof j.state === 'string' ? j.state : undefined,
    timeline,
    xlogLocation: parseLsn(j.xlog_location) ?? (positions.length ? Math.max(...positions) : undefined),
    replicationState: typeof j.replication_state === 'string' ? j.replication_state : undefined,
    pendingRestart: j.pending_restart === true ? true : undefined,
  };
}

/** Patroni labels the leader `master`; newer releases may say `primary`. Both mean the same. */
export function normaliseRole(label: string | undefined): 'master' | 'replica' | undefined {
  if (label === 'master' || label === 'primary' || label === 'standby_leader') return 'master';
  if (label === 'replica' || label === 'sync_standby' || label === 'standby') return 'replica';
  return undefined;
}
