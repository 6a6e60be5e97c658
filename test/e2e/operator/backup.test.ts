// A manual pgBackRest backup the way PGO documents it: spec.backups.pgbackrest.manual plus the
// pgbackrest-backup annotation on a healthy two-instance cluster with a repo. Whatever the
// operator (the model, or the real binary with SANDBOX_OPERATOR=PATH), everything it writes is
// waited for. Needs `npm run sandbox -- up --operator` and a built plugin (`npm run build`).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterManifest, getCluster, patchCluster, waitHealthy, waitStatusHealth, type Obj } from '../../helpers/operator.ts';
import { operatorSuite } from '../../helpers/operator-suite.ts';
import { apiOk, describeRun, kubectl, kubectlPgo, waitFor } from '../../helpers/sandbox.ts';

const name = 'hippo';
const BACKUP = 'postgres-operator.crunchydata.com/pgbackrest-backup';
const { ns, timings, clusterLog, createCluster } = operatorSuite(test, 'e2e-backup', {
  setUp: () => createCluster(clusterManifest(ns, name)),
});
const reconcilerErrors = () => clusterLog(name).filter((l) => l.includes('msg="Reconciler error"'));
const jobs = async (type: string): Promise<Obj[]> =>
  (await apiOk('GET', `/apis/batch/v1/namespaces/${ns}/jobs?labelSelector=${encodeURIComponent(`postgres-operator.crunchydata.com/cluster=${name},${BACKUP}=${type}`)}`)).items;
const done = (job: Obj, type: string) => (job.status?.conditions ?? []).some((c: Obj) => c.type === type && c.status === 'True');

test('converged: stanza created, no Reconciler error for the cluster afterwards', async () => {
  await waitHealthy(ns, name);
  await waitFor('status.pgbackrest.repos[repo1].stanzaCreated', async () =>
    (await getCluster(ns, name)).status?.pgbackrest?.repos?.find((r: Obj) => r.name === 'repo1')?.stanzaCreated === true, { timeoutMs: 240_000 });
  // Converged: no new Reconciler error for 20 s after the stanza (earlier ones are start-up races).
  let before = reconcilerErrors().length;
  let since = Date.now();
  await waitFor('20 s without a new Reconciler error for the cluster', async () => {
    const now = reconcilerErrors().length;
    if (now !== before) [before, since] = [now, Date.now()];
    return Date.now() - since >= 20_000;
  }, { timeoutMs: 120_000, intervalMs: 1000 }).catch((e: Error) => assert.unreachable(`${e.message}: ${reconcilerErrors().slice(-3).join('\n')}`));
});

test('the manual backup completes: Job Succeeded, status.pgbackrest.manualBackup finished, pgbackrest info lists it, status Healthy', async () => {
  // PGO takes a manual backup only once the replica-create backup is complete (PGBackRestReplicaCreate).
  await waitFor('condition PGBackRestReplicaCreate True', async () =>
    (await getCluster(ns, name)).status?.conditions?.some((c: Obj) => c.type === 'PGBackRestReplicaCreate' && c.status === 'True'), { timeoutMs: 420_000, intervalMs: 1000 });
  const id = `e2e-${Date.now()}`;
  const t = Date.now();
  await patchCluster(ns, name, {
    metadata: { annotations: { [BACKUP]: id } },
    spec: { backups: { pgbackrest: { manual: { repoName: 'repo1', options: ['--type=full'] } } } },
  });
  const job = await waitFor('a manual backup Job', async () => (await jobs('manual'))[0], { timeoutMs: 60_000 });
  assert.match(job.metadata.name, new RegExp(`^${name}-backup-[a-z0-9]{4}$`));
  assert.is(job.metadata.annotations?.[BACKUP], id);
  assert.is(job.metadata.labels?.['postgres-operator.crunchydata.com/pgbackrest-repo'], 'repo1');
  assert.is(job.metadata.ownerReferences?.[0]?.kind, 'PostgresCluster');
  const env = Object.fromEntries(job.spec.template.spec.containers[0].env.map((e: Obj) => [e.name, e.value]));
  assert.is(env.COMMAND_OPTS, '--stanza=db --repo=1 --type=full');
  const finished = await waitFor('the Job Complete or Failed', async () => {
    const j = (await jobs('manual'))[0];
    return j && (done(j, 'Complete') || done(j, 'Failed')) ? j : undefined;
  }, { timeoutMs: 420_000, intervalMs: 1000 }); // without --start-fast pgBackRest waits for a scheduled checkpoint
  assert.ok(done(finished, 'Complete'), `the backup Job failed: ${JSON.stringify(finished.status)}`);
  timings.push(`manual backup: annotation -> Job Complete ${((Date.now() - t) / 1000).toFixed(1)} s`);
  assert.is(finished.status.succeeded, 1);
  const manual = await waitFor('status.pgbackrest.manualBackup finished', async () => {
    const m = (await getCluster(ns, name)).status?.pgbackrest?.manualBackup;
    return m?.id === id && m.finished === true ? m : undefined;
  }, { timeoutMs: 60_000 });
  assert.is(manual.succeeded, 1);
  assert.ok(manual.completionTime, 'completionTime');

  const info = await kubectl(['exec', '-n', ns, `${name}-repo-host-0`, '-c', 'pgbackrest', '--', 'pgbackrest', 'info', '--stanza=db', '--output=json']);
  assert.is(info.code, 0, describeRun('pgbackrest info', info));
  const stanza = JSON.parse(info.stdout)[0];
  const full = (stanza.backup as Obj[]).filter((b) => b.type === 'full');
  assert.ok(full.length >= 1, `a full backup listed: ${info.stdout}`);
  const last = full[full.length - 1];
  timings.push(`backup size ${(last.info.size / 1024 / 1024).toFixed(1)} MiB (repo ${(last.info.repository.size / 1024 / 1024).toFixed(1)} MiB)`);

  await waitStatusHealth(ns, name, 'Healthy', 60_000);
  const r = await kubectlPgo(['status', name, '-n', ns, '-o', 'json']);
  const latest = JSON.parse(r.stdout).clusters.find((x: Obj) => x.name === name).backups.latestJob;
  assert.is(latest?.name, finished.metadata.name, describeRun('kubectl pgo status', r));
  assert.is(latest?.state, 'Succeeded');
});

test.run();
