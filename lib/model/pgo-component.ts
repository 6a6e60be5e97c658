// Which Events PGO wrote: its recorder is named after naming.ControllerPostgresCluster.
import type { KObject } from './types.ts';

/** The name PGO's event recorder writes as source.component (core/v1 Events) and as
 *  reportingController (events.k8s.io/v1, which the core API shows as reportingComponent). */
export const PGO_COMPONENT = 'postgrescluster-controller';

export function fromPgo(e: KObject): boolean {
  return e.source?.component === PGO_COMPONENT || e.reportingComponent === PGO_COMPONENT || e.reportingController === PGO_COMPONENT;
}

/** Events of one list added to another, each once (the two event LISTs of collect overlap). */
export function mergeEvents(into: KObject[], more: KObject[]): KObject[] {
  const key = (e: KObject) => e.metadata.uid ?? `${e.metadata.namespace}/${e.metadata.name}`;
  const seen = new Set(into.map(key));
  return [...into, ...more.filter((e) => !seen.has(key(e)) && (seen.add(key(e)), true))];
}
