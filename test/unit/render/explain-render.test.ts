// status CLUSTER --explain as text, compared whole: piped (no colour) and on a TTY.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runChecks } from '../../../lib/checks/index.ts';
import { explainCluster } from '../../../lib/explain/explain.ts';
import { renderExplain } from '../../../lib/render/explain.ts';
import { fixture, snapshotFromYaml } from '../../helpers/snapshot-from-yaml.ts';

function incidentExplain() {
  const snap = snapshotFromYaml(fixture('incident/incident.yaml'));
  const fs = runChecks(snap, { maxLagBytes: 1 << 24, now: new Date('2026-11-25T17:12:30Z') }).filter((f) => f.cluster?.name === 'hippo');
  return explainCluster('hippo', fs, { version: '5.8.9', operatorDown: null, logRead: false });
}

const PIPED = `Reconcile pipeline: PGO 5.8.9; the v5.8 order (PGO 5.8 Reconcile, internal/controller/postgrescluster/controller.go)
  Every reconcile stops at reconcilePatroniSwitchover; the steps after it do not run.
  #    STEP                                       STATE     WHAT / WHY
  1    VerifyImageValues                          ok        every container has an image (Warning MissingRequiredImage; lets a shut-down cluster through)
  2    EndOfLifePostgresVersion                   ok        a Warning when spec.postgresVersion is end of life (does not stop)
  3    standby spec                               ok        a standby names a host or repoName (Warning InvalidStandbyConfiguration)
  4    registration                               ok        a registration reminder (does not stop)
  5    spec.paused                                ok        returns while paused (Progressing=False, Paused)
  6    BackupsEnabled                             ok        returns while backups were removed without authorizeBackupRemoval (Progressing=False, Paused)
  7    reconcileRootCertificate                   ok        the cluster's root CA Secret
  8    reconcileDirMoveJobs                       ok        jobs that move existing data directories
  9    observePersistentVolumeClaims              ok        reads the cluster's PVCs
  10   configureExistingPVCs                      ok        adopts volumes named in spec.dataSource.volumes
  11   observeInstances                           ok        reads instance StatefulSets and pods
  12   reconcilePatroniStatus                     ok        status.patroni (system identifier)
  13   reconcilePatroniSwitchover                 failing   "Need more than one instance to switchover" (SwitchoverBlocked)
  14   reconcileClusterPodService                 skipped   Service hippo-pods
  15   reconcileRBACResources                     skipped   instance ServiceAccount, Role, RoleBinding
  16   reconcileDataSource                        skipped   bootstraps from spec.dataSource (restore Job)
  17   reconcileClusterConfigMap                  skipped   ConfigMap hippo-config (Patroni)
  18   reconcileReplicationSecret                 skipped   replication client certificate
  19   reconcilePatroniLeaderLease                skipped   Service hippo-ha
  20   reconcileClusterPrimaryService             skipped   Service and Endpoints hippo-primary
  21   reconcileClusterReplicaService             skipped   Service hippo-replicas
  22   reconcileClusterCertificate                skipped   the cluster's server certificate
  23   reconcilePatroniDistributedConfiguration   skipped   Service hippo-ha-config
  24   reconcilePatroniDynamicConfiguration       skipped   Patroni's dynamic configuration (patronictl edit-config)
  25   reconcileMonitoringSecret                  skipped   the exporter's Secret
  26   reconcileExporterQueriesConfig             skipped   the exporter's queries ConfigMap
  27   reconcileExporterWebConfig                 skipped   the exporter's web ConfigMap
  28   reconcileInstanceSets                      skipped   leaves InstanceMissing (StatefulSet/hippo-instance2-k5cc) unresolved
  29   reconcilePostgresDatabases                 skipped   databases and extensions in PostgreSQL (psql)
  30   reconcilePostgresUsers                     skipped   users and their Secrets (psql)
  31   reconcilePGBackRest                        skipped   pgBackRest: repo host, repos, stanza, backups, CronJobs
  32   reconcileDedicatedSnapshotVolume           skipped   the volume snapshots are taken from
  33   reconcileVolumeSnapshots                   skipped   VolumeSnapshots of the data volume
  34   reconcilePGBouncer                         skipped   pgBouncer: Deployment, Service, config, its user in PostgreSQL
  35   reconcilePGMonitorExporter                 skipped   the metrics exporter in PostgreSQL
  36   reconcileDatabaseInitSQL                   skipped   spec.databaseInitSQL, once
  37   reconcilePGAdmin                           skipped   the pgAdmin of spec.userInterface
  38   handlePatroniRestarts                      skipped   restarts PostgreSQL where Patroni says a restart is pending
  39   patchClusterStatus                         ok        writes the status, with status.observedGeneration (also after a step error)
`;

test('the incident, piped: every step of v5.8 with its state; the switchover step failing in PGO\'s words; InstanceMissing left unresolved', () => {
  assert.is(renderExplain(incidentExplain(), false), PIPED);
});

test('the incident, TTY: states coloured (failing red, skipped yellow, ok green), otherwise the same text', () => {
  const out = renderExplain(incidentExplain(), true);
  assert.match(out, '\x1b[31mfailing\x1b[39m');
  assert.match(out, '\x1b[33mskipped\x1b[39m');
  assert.match(out, '\x1b[32mok\x1b[39m');
  assert.match(out, '\x1b[1mReconcile pipeline:\x1b[22m');
  assert.is(out.replace(/\x1b\[\d+m/g, ''), PIPED);
});

test('no step known to fail and no log: says why the states are unknown', () => {
  const out = renderExplain(explainCluster('hippo', [], { version: null, operatorDown: null, logRead: false }), false);
  assert.match(out, 'Reconcile pipeline: PGO version not found; the v5.8 order assumed');
  assert.match(out, "PGO's log was not read, so the steps are unknown rather than ok");
});

test.run();
