// The model's backup Jobs as PGO v5.8.9's reconcileReplicaCreateBackup and reconcileManualBackup
// make them (pgbackrest.go): when a Job is applied or deleted, and the status written from it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { reconcileManualBackup, reconcileReplicaCreateBackup, type JobDeps } from '../../../scripts/sandbox/operator/model/backups.ts';
import type { Observed } from '../../../scripts/sandbox/operator/model/instances.ts';
import type { KObj } from '../../../scripts/sandbox/kube/types.ts';
import { backupJob } from '../../../scripts/sandbox/operator/model/objects.ts';
import { readCluster } from '../../../scripts/sandbox/operator/model/spec.ts';

const NOW = '2026-12-01T18:00:00Z';
const BACKUP = 'postgres-operator.crunchydata.com/pgbackrest-backup';
const images = { pgbackrest: 'registry/crunchy-pgbackrest:x' };

function cluster(annotation?: string, options = ['--type=full']): KObj {
  return {
    metadata: { name: 'hippo', namespace: 'db', uid: 'u1', generation: 2, annotations: annotation ? { [BACKUP]: annotation } : {} },
    spec: { backups: { pgbackrest: { repos: [{ name: 'repo1', volume: { volumeClaimSpec: {} } }], manual: { repoName: 'repo1', options } } } },
  };
}

const observed = (role: string): Observed => {
  const inst = { name: 'hippo-i1-abcd', set: 'i1', pods: [{ metadata: { name: 'hippo-i1-abcd-0', annotations: { status: JSON.stringify({ role }) } } }] };
  return { byName: new Map([[inst.name, inst]]), bySet: new Map([['i1', [inst]]]), forCluster: [inst], setNames: new Set(['i1']) };
};

const ready = (extra: Array<[string, string]> = []) => ({
  pgbackrest: { repos: [{ name: 'repo1', stanzaCreated: true, replicaCreateBackupComplete: true }] },
  conditions: [['PGBackRestRepoHostReady', 'True'], ['PGBackRestReplicaRepoReady', 'True'], ['PGBackRestReplicaCreate', 'True'], ...extra]
    .map(([type, status]) => ({ type, status, reason: 'r', message: 'm', lastTransitionTime: NOW })),
});

function deps() {
  const applied: KObj[] = [];
  const removed: string[] = [];
  const events: string[] = [];
  const d: JobDeps = {
    apply: async (j) => (applied.push(j), j),
    remove: async (j) => void removed.push(j.metadata.name),
    events: { record: async (_o: KObj, type: string, reason: string) => void events.push(`${type} ${reason}`) } as unknown as JobDeps['events'],
    rand: () => 0,
  };
  return { d, applied, removed, events };
}

const finishedJob = (id: string, type: 'Complete' | 'Failed'): KObj => ({
  metadata: { name: 'hippo-backup-xyzw', annotations: { [BACKUP]: id }, labels: { [BACKUP]: 'manual' } },
  status: { startTime: '2026-12-01T17:59:00Z', completionTime: '2026-12-01T17:59:30Z', ...(type === 'Complete' ? { succeeded: 1 } : { failed: 1 }), conditions: [{ type, status: 'True' }] },
});

test('backupJob: PGO\'s name, labels, owner, runner env and config projection', () => {
  const job = backupJob(readCluster(cluster('x')), 'repo1', 'manual', 'hippo-backup-bbbb', images, { [BACKUP]: 'x' }, ['--type=full']);
  assert.equal(job.metadata.labels, {
    'postgres-operator.crunchydata.com/cluster': 'hippo',
    'postgres-operator.crunchydata.com/pgbackrest': '',
    'postgres-operator.crunchydata.com/pgbackrest-repo': 'repo1',
    [BACKUP]: 'manual',
  });
  assert.equal(job.metadata.ownerReferences?.[0]?.kind, 'PostgresCluster');
  const c = job.spec.template.spec.containers[0];
  assert.equal(c.command, ['/opt/crunchy/bin/pgbackrest']);
  const env = Object.fromEntries(c.env.map((e: { name: string; value: string }) => [e.name, e.value]));
  assert.is(env.COMMAND_OPTS, '--stanza=db --repo=1 --type=full');
  assert.is(env.SELECTOR, 'postgres-operator.crunchydata.com/cluster=hippo,postgres-operator.crunchydata.com/pgbackrest=,postgres-operator.crunchydata.com/pgbackrest-dedicated=');
  assert.is(job.spec.template.spec.restartPolicy, 'Never');
  assert.is(job.spec.template.spec.serviceAccountName, 'hippo-pgbackrest');
});

test('manual: the annotation on a ready cluster applies a Job and resets status to {id, finished: false}', async () => {
  const { d, applied } = deps();
  const status: Record<string, any> = ready();
  await reconcileManualBackup(d, cluster('one'), readCluster(cluster('one')), status, observed('master'), [], images, NOW);
  assert.is(applied.length, 1);
  assert.is(applied[0].metadata.name, 'hippo-backup-bbbb');
  assert.is(applied[0].metadata.annotations?.[BACKUP], 'one');
  assert.equal(status.pgbackrest.manualBackup, { id: 'one', finished: false });
});

test('manual: nothing before PGBackRestReplicaCreate is True, nor without a writable instance', async () => {
  const { d, applied } = deps();
  const status: Record<string, any> = ready();
  status.conditions[2].status = 'False';
  await reconcileManualBackup(d, cluster('one'), readCluster(cluster('one')), status, observed('master'), [], images, NOW);
  await reconcileManualBackup(d, cluster('one'), readCluster(cluster('one')), ready(), observed('replica'), [], images, NOW);
  assert.is(applied.length, 0);
});

test('manual: a finished Job is copied into status and the condition; an older request\'s Job is deleted', async () => {
  const { d, applied, removed } = deps();
  const status: Record<string, any> = ready();
  status.pgbackrest.manualBackup = { id: 'one', finished: false };
  await reconcileManualBackup(d, cluster('one'), readCluster(cluster('one')), status, observed('master'), [finishedJob('one', 'Complete')], images, NOW);
  assert.equal(status.pgbackrest.manualBackup, { id: 'one', finished: true, startTime: '2026-12-01T17:59:00Z', completionTime: '2026-12-01T17:59:30Z', succeeded: 1 });
  assert.ok(status.conditions.some((c: any) => c.type === 'PGBackRestManualBackupSuccessful' && c.status === 'True' && c.reason === 'ManualBackupComplete'));
  assert.is(applied.length, 0, 'finished: not applied again');
  await reconcileManualBackup(d, cluster('two'), readCluster(cluster('two')), status, observed('master'), [finishedJob('one', 'Complete')], images, NOW);
  assert.equal(removed, ['hippo-backup-xyzw']);
});

test('manual: --repo in options is refused with PGO\'s Warning event', async () => {
  const { d, applied, events } = deps();
  const c = cluster('one', ['--repo=2']);
  await reconcileManualBackup(d, c, readCluster(c), ready(), observed('master'), [], images, NOW);
  assert.is(applied.length, 0);
  assert.equal(events, ['Warning InvalidManualBackup']);
});

test('replica-create: a Job once the repo is ready; its completion sets replicaCreateBackupComplete and the condition', async () => {
  const { d, applied } = deps();
  const status: Record<string, any> = ready();
  delete status.pgbackrest.repos[0].replicaCreateBackupComplete;
  await reconcileReplicaCreateBackup(d, readCluster(cluster()), status, observed('master'), [], images, 'h1', NOW);
  assert.is(applied[0].metadata.labels?.[BACKUP], 'replica-create');
  assert.is(applied[0].metadata.annotations?.['postgres-operator.crunchydata.com/pgbackrest-hash'], 'h1');
  assert.ok(status.conditions.some((c: any) => c.type === 'PGBackRestReplicaCreate' && c.reason === 'RepoBackupNotComplete'));
  const done = { ...applied[0], status: { conditions: [{ type: 'Complete', status: 'True' }] } };
  await reconcileReplicaCreateBackup(d, readCluster(cluster()), status, observed('master'), [done], images, 'h1', NOW);
  assert.is(status.pgbackrest.repos[0].replicaCreateBackupComplete, true);
  assert.ok(status.conditions.some((c: any) => c.type === 'PGBackRestReplicaCreate' && c.status === 'True' && c.reason === 'RepoBackupComplete'));
});

test.run();
