// The catalogue of checks (owner: checks helper): pure functions Snapshot -> Finding[].
import type { CheckOptions, Finding, Health, Snapshot, ClusterRef } from '../model/types.ts';

export function runChecks(_snap: Snapshot, _opts: CheckOptions): Finding[] {
  throw new Error('runChecks: not implemented yet');
}

/** Health of one cluster from its findings (and the gaps that touch it). */
export function healthOf(_cluster: ClusterRef, _findings: Finding[], _snap: Snapshot): Health {
  throw new Error('healthOf: not implemented yet');
}
