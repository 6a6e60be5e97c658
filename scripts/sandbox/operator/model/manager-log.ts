// The lines PGO's manager (controller-runtime) writes when it starts and stops, those of the
// postgrescluster controller only: the model runs no pgupgrade, pgadmin or crunchybridgecluster
// controller. Order and fields as in ../shared/fixtures/pgo/v5.8.9/recorded/operator.log.
import type { Logger } from './log.ts';

/** controller-runtime's fields on every line of the postgrescluster controller. */
export const CONTROLLER_FIELDS = { controller: 'postgrescluster', controllerGroup: 'postgres-operator.crunchydata.com', controllerKind: 'PostgresCluster' };

const HEALTH = { addr: '[::]:8081', name: 'health probe' };
const GROUP_VERSION: Record<string, string> = { PostgresCluster: 'v1beta1' };

export function logManagerStart(log: Logger, apiVersion: string, featureGates: string): void {
  log.debug('debug flag set to true');
  log.info('feature gates', { PGO_FEATURE_GATES: featureGates, enabled: 'AutoCreateUserSchema=true,InstanceSidecars=true,PGUpgradeCPUConcurrency=true' });
  log.info('connected to Kubernetes', { api: apiVersion, openshift: false });
  log.info('starting server', HEALTH);
  log.info('Starting metrics server');
  log.info('enabling metrics via http/1.1');
  log.info('Serving metrics server', { bindAddress: ':8443', secure: true });
}

/** "kind source: *v1.StatefulSet", as controller-runtime names a watch. */
export function kindSource(kind: string): string {
  return `kind source: *${GROUP_VERSION[kind] ?? 'v1'}.${kind}`;
}

export function logControllerStart(log: Logger, kinds: string[]): void {
  for (const k of kinds) log.info('Starting EventSource', { ...CONTROLLER_FIELDS, source: kindSource(k) });
  log.info('Starting Controller', CONTROLLER_FIELDS);
}

export function logWorkersStart(log: Logger, workers: number): void {
  log.info('Starting workers', { ...CONTROLLER_FIELDS, 'worker count': workers });
}

export function logShutdownStart(log: Logger, signal: string): void {
  log.info('received signal from OS', { signal });
  log.info('shutting down');
  log.info('Stopping and waiting for non leader election runnables');
  log.info('Stopping and waiting for warmup runnables');
  log.info('Stopping and waiting for leader election runnables');
  log.info('Shutdown signal received, waiting for all workers to finish', CONTROLLER_FIELDS);
}

export function logShutdownEnd(log: Logger): void {
  log.info('All workers finished', CONTROLLER_FIELDS);
  for (const m of ['Stopping and waiting for caches', 'Stopping and waiting for webhooks', 'Stopping and waiting for HTTP servers', 'Shutting down metrics server with timeout of 1 minute']) log.info(m);
  log.info('shutting down server', HEALTH);
  log.info('Wait completed, proceeding to shutdown the manager');
  log.info('shutdown complete');
}
