// PGO's reconcile pipeline, per minor version, as data: the order in which `Reconcile`
// (internal/controller/postgrescluster/controller.go) runs its early checks and its steps.
// Every step runs only while no earlier one returned an error (`if err == nil { err = r.X(...) }`),
// so the first error skips all the rest; the status patch at the end (observedGeneration) runs
// after a step error too, but not after an early return.
//
// Read from PGO's source. v5.8: the Reconcile of the 5.8 line (copyright 2017-2025: image check,
// end-of-life warning, standby check, registration, pause, backups, then the steps below),
// cross-checked with the `func=` fields of the real v5.8.9 log (test fixtures). v6.0: the same
// function after the 6.0 changes (registration removed; Reconcile takes the cluster; the same
// step order). Neither tag's tree was readable whole here: the tables come from the nearest
// stored versions of that file on each line (see README, "status --explain").

export type PgoMinor = '5.8' | '6.0';

export interface PipelineStep {
  /** PGO's function name (or, for an early check, what it checks). */
  name: string;
  /** gate: an early check that returns before any step; step: a reconcile step; final: the status patch. */
  kind: 'gate' | 'step' | 'final';
  /** What it does, in a few words. */
  does: string;
  /** A gate or step that can also return early without an error (it waits for something). */
  waits?: string;
  /** Finding codes this step would resolve: unresolved while it is skipped or failing. */
  resolves?: string[];
  /** Other function names PGO's log may give as `func` for an error of this step (its callees
   *  that do not share its name as a prefix). */
  callees?: string[];
}

const gate = (name: string, does: string, resolves: string[] = []): PipelineStep => ({ name, kind: 'gate', does, resolves });
const step = (name: string, does: string, more: Partial<PipelineStep> = {}): PipelineStep => ({ name, kind: 'step', does, ...more });

const COMMON_HEAD = {
  images: gate('VerifyImageValues', 'every container has an image (Warning MissingRequiredImage; lets a shut-down cluster through)'),
  standby: gate('standby spec', 'a standby names a host or repoName (Warning InvalidStandbyConfiguration)', ['InvalidStandbyConfiguration']),
  paused: gate('spec.paused', 'returns while paused (Progressing=False, Paused)', ['ReconcilePaused']),
  backups: gate('BackupsEnabled', 'returns while backups were removed without authorizeBackupRemoval (Progressing=False, Paused)', ['ReconcilePaused']),
};

const STEPS: PipelineStep[] = [
  step('reconcileRootCertificate', 'the cluster\'s root CA Secret'),
  step('reconcileDirMoveJobs', 'jobs that move existing data directories', { waits: 'returns early while a directory move Job runs' }),
  step('observePersistentVolumeClaims', 'reads the cluster\'s PVCs'),
  step('configureExistingPVCs', 'adopts volumes named in spec.dataSource.volumes'),
  step('observeInstances', 'reads instance StatefulSets and pods'),
  step('reconcilePatroniStatus', 'status.patroni (system identifier)'),
  step('reconcilePatroniSwitchover', 'a requested switchover or failover (patronictl)', {
    resolves: ['SwitchoverPending', 'SwitchoverBlocked'],
  }),
  step('reconcileClusterPodService', 'Service <cluster>-pods'),
  step('reconcileRBACResources', 'instance ServiceAccount, Role, RoleBinding'),
  step('reconcileDataSource', 'bootstraps from spec.dataSource (restore Job)', {
    waits: 'returns early until the data directory is initialized',
    callees: ['reconcilePostgresClusterDataSource', 'reconcileCloudBasedDataSource', 'reconcileRestoreJob', 'createRestoreConfig', 'copyRestoreConfiguration'],
  }),
  step('reconcileClusterConfigMap', 'ConfigMap <cluster>-config (Patroni)'),
  step('reconcileReplicationSecret', 'replication client certificate'),
  step('reconcilePatroniLeaderLease', 'Service <cluster>-ha'),
  step('reconcileClusterPrimaryService', 'Service and Endpoints <cluster>-primary'),
  step('reconcileClusterReplicaService', 'Service <cluster>-replicas'),
  step('reconcileClusterCertificate', 'the cluster\'s server certificate'),
  step('reconcilePatroniDistributedConfiguration', 'Service <cluster>-ha-config'),
  step('reconcilePatroniDynamicConfiguration', 'Patroni\'s dynamic configuration (patronictl edit-config)'),
  step('reconcileMonitoringSecret', 'the exporter\'s Secret'),
  step('reconcileExporterQueriesConfig', 'the exporter\'s queries ConfigMap'),
  step('reconcileExporterWebConfig', 'the exporter\'s web ConfigMap'),
  step('reconcileInstanceSets', 'instance StatefulSets, their volumes and config; creates missing instances, deletes removed ones, rolls out changes', {
    resolves: ['InstanceMissing', 'InstanceOrphaned'],
    callees: ['reconcileInstance', 'reconcileInstanceSet', 'rolloutInstance', 'rolloutInstances', 'scaleDownInstances', 'deleteInstance', 'deleteInstances', 'cleanupPodDisruptionBudgets', 'reconcileInstanceSetPodDisruptionBudget'],
  }),
  step('reconcilePostgresDatabases', 'databases and extensions in PostgreSQL (psql)', { callees: ['pgAudit'] }),
  step('reconcilePostgresUsers', 'users and their Secrets (psql)'),
  step('reconcilePGBackRest', 'pgBackRest: repo host, repos, stanza, backups, CronJobs', {
    resolves: ['RepoHostMissing'],
    callees: ['reconcileStanzaCreate', 'reconcileRepoHost', 'reconcileRepos', 'reconcileManualBackup', 'reconcileScheduledBackups', 'reconcileReplicaCreateBackup',
      'reconcileDedicatedRepoHost', 'reconcileRepoHostRBAC', 'reconcilePGBackRestConfig', 'reconcilePGBackRestSecret', 'applyRepoHostIntent', 'applyRepoVolumeIntent', 'getPGBackRestResources'],
  }),
  step('reconcileDedicatedSnapshotVolume', 'the volume snapshots are taken from'),
  step('reconcileVolumeSnapshots', 'VolumeSnapshots of the data volume'),
  step('reconcilePGBouncer', 'pgBouncer: Deployment, Service, config, its user in PostgreSQL', { resolves: ['PgBouncerUnavailable'] }),
  step('reconcilePGMonitorExporter', 'the metrics exporter in PostgreSQL', { callees: ['reconcilePGMonitor'] }),
  step('reconcileDatabaseInitSQL', 'spec.databaseInitSQL, once'),
  step('reconcilePGAdmin', 'the pgAdmin of spec.userInterface'),
  step('handlePatroniRestarts', 'restarts PostgreSQL where Patroni says a restart is pending'),
  { name: 'patchClusterStatus', kind: 'final', does: 'writes the status, with status.observedGeneration (also after a step error)', resolves: ['SpecNotObserved'] },
];

export interface Pipeline {
  minor: PgoMinor;
  /** Where the order was read. */
  source: string;
  steps: PipelineStep[];
}

export const PIPELINES: Record<PgoMinor, Pipeline> = {
  '5.8': {
    minor: '5.8',
    source: 'PGO 5.8 Reconcile, internal/controller/postgrescluster/controller.go',
    steps: [
      COMMON_HEAD.images,
      gate('EndOfLifePostgresVersion', 'a Warning when spec.postgresVersion is end of life (does not stop)'),
      COMMON_HEAD.standby,
      gate('registration', 'a registration reminder (does not stop)'),
      COMMON_HEAD.paused,
      COMMON_HEAD.backups,
      ...STEPS,
    ],
  },
  '6.0': {
    minor: '6.0',
    source: 'PGO 6.0 Reconcile, internal/controller/postgrescluster/controller.go',
    steps: [
      COMMON_HEAD.images,
      gate('EndOfLifePostgresVersion', 'a Warning when spec.postgresVersion is end of life (does not stop)'),
      COMMON_HEAD.standby,
      COMMON_HEAD.paused,
      COMMON_HEAD.backups,
      ...STEPS,
    ],
  },
};

/** The pipeline for an operator version ("5.8.9", "v6.0.3", "ubi9-5.8.9-0"); the nearest one,
 *  marked assumed, when the version is unknown or not one of these. */
export function pipelineFor(version: string | null | undefined): { pipeline: Pipeline; assumed: boolean } {
  const m = /(\d+)\.(\d+)\.\d+/.exec(version ?? '');
  if (m) {
    const key = `${m[1]}.${m[2]}`;
    if (key in PIPELINES) return { pipeline: PIPELINES[key as PgoMinor], assumed: false };
    return { pipeline: Number(m[1]) >= 6 ? PIPELINES['6.0'] : PIPELINES['5.8'], assumed: true };
  }
  return { pipeline: PIPELINES['5.8'], assumed: true };
}

/** The step of the pipeline a `func` of PGO's log belongs to ("postgrescluster.(*Reconciler).reconcilePGBouncerInPostgreSQL.func2"
 *  -> reconcilePGBouncer): by name, by a callee, else by the longest step name it starts with. */
export function stepOfFunc(pipeline: Pipeline, func: string | null | undefined): PipelineStep | undefined {
  if (!func) return undefined;
  const parts = func.split('.').map((p) => p.replace(/^\(\*?[A-Za-z]+\)$/, '')).filter((p) => p && !/^func\d+$/.test(p));
  const name = parts[parts.length - 1] ?? func;
  const steps = pipeline.steps;
  const exact = steps.find((s) => s.name === name) ?? steps.find((s) => s.callees?.includes(name));
  if (exact) return exact;
  let best: PipelineStep | undefined;
  for (const s of steps) if (s.kind === 'step' && name.startsWith(s.name) && (!best || s.name.length > best.name.length)) best = s;
  return best;
}
