// heal end to end: the incident (a two-instance cluster, a switchover requested to the current
// primary, the replica's StatefulSet deleted) against the operator in the sandbox with real
// Patroni, through real kubectl with the built plugin on PATH. The same cluster goes through the
// incident three times: fixed by hand (to time PGO alone), healed by `heal --yes`, and healed
// while someone edits the cluster between heal's read and its write.
// Needs `npm run sandbox -- up --operator` and `npm run build`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import {
  TRIGGER,
  clusterManifest,
  getCluster,
  instanceViews,
  patchCluster,
  pvcUid,
  waitHealthy,
  waitStatusHealth,
  type Obj,
} from '../../helpers/operator.ts';
import { operatorSuite } from '../../helpers/operator-suite.ts';
import { adminKubeconfigPath, api, apiOk, describeRun, kubectl, kubectlPgo, waitFor } from '../../helpers/sandbox.ts';
import { startConflictProxy } from '../../helpers/conflict-proxy.ts';
import { assertNoPluginWrite } from '../../helpers/plugin-writes.ts';

const name = 'hippo';
const backups = mkdtempSync(path.join(tmpdir(), 'kpgo-e2e-heal-'));
const { ns, timings, sts: STS, clusterLog, createCluster } = operatorSuite(test, 'e2e-heal', {
  setUp: async () => {
    await createCluster(clusterManifest(ns, name));
    await waitHealthy(ns, name);
  },
  tearDown: () => rmSync(backups, { recursive: true, force: true }),
});
const PGC = `/apis/postgres-operator.crunchydata.com/v1beta1/namespaces/${ns}/postgresclusters/${name}`;
const logFor = () => clusterLog(name);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const heal = (args: string[], opts: { kubeconfig?: string; input?: string } = {}) =>
  kubectlPgo(['heal', name, '-n', ns, '--backup-dir', backups, ...args], { ...opts, timeoutMs: 240_000 });

interface Incident {
  instance: string;
  stsUid: string;
  pvcUid: string;
}

/** The incident, as it happened: a switchover to the primary (failing for ever), then the replica's StatefulSet deleted. */
async function makeIncident(): Promise<Incident> {
  const { primary, replica } = await waitHealthy(ns, name);
  const pvc = await pvcUid(ns, `${replica.name}-pgdata`);
  assert.ok(pvc);
  const mark = logFor().length;
  await patchCluster(ns, name, { metadata: { annotations: { [TRIGGER]: `e2e-heal-${Date.now()}` } }, spec: { patroni: { switchover: { enabled: true, targetInstance: primary.name } } } });
  await waitFor('the switchover step to fail', async () => logFor().slice(mark).some((l) => l.includes('reconcilePatroniSwitchover') && l.includes('level=error')), { timeoutMs: 60_000 });
  await apiOk('DELETE', STS(replica.name), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
  await waitFor('"Need more than one instance to switchover"', async () => logFor().slice(mark).some((l) => l.includes('Need more than one instance to switchover')), { timeoutMs: 60_000 });
  assert.not.ok((await instanceViews(ns, name)).get(replica.name)?.stsUid, 'not recreated while blocked');
  return { instance: replica.name, stsUid: replica.stsUid!, pvcUid: pvc };
}

let manualMs = 0;

test('baseline: the incident fixed by hand - how long PGO alone needs', async () => {
  const inc = await makeIncident();
  const t0 = Date.now();
  await patchCluster(ns, name, [
    { op: 'remove', path: '/spec/patroni/switchover' },
    { op: 'remove', path: `/metadata/annotations/${TRIGGER.replace('/', '~1')}` },
  ], 'json');
  await waitFor('recreated', async () => (await instanceViews(ns, name)).get(inc.instance)?.stsUid, { timeoutMs: 30_000, intervalMs: 100 });
  const tSts = Date.now() - t0;
  const h = await waitHealthy(ns, name, 180_000);
  manualMs = Date.now() - t0;
  assert.is(h.replica.name, inc.instance);
  timings.push(`manual fix: StatefulSet back ${secs(tSts)}, replica Ready ${secs(manualMs)}`);
});

let healed: Incident;
let backupFile = '';

test('the incident: --dry-run=client and --dry-run=server change nothing; no --yes without a terminal is refused', async () => {
  healed = await makeIncident();
  const before = await getCluster(ns, name);
  const client = await heal(['--dry-run=client']);
  assert.is(client.code, 0, describeRun('heal --dry-run=client', client));
  assert.match(client.stdout, /SwitchoverBlocked/);
  assert.match(client.stdout, /"postgres-operator.crunchydata.com\/trigger-switchover":null/);
  const server = await heal(['--dry-run=server']);
  assert.is(server.code, 0, describeRun('heal --dry-run=server', server));
  assert.match(server.stdout, /server dry run accepted/);
  const refused = await heal([]);
  assert.is(refused.code, 1, describeRun('heal without --yes', refused));
  assert.match(refused.stderr, /^error: refusing to change anything without confirmation/m);
  const after = await getCluster(ns, name);
  assertNoPluginWrite(before, after, `PostgresCluster ${ns}/${name}`);
  assert.ok(after.metadata.annotations?.[TRIGGER], 'the trigger is still there');
  assert.is(readdirSync(backups).length, 0, 'no backup for writes that did not happen');
});

test('heal --yes: PGO recreates the StatefulSet under its old name on the same PVC, status Healthy, exit 0', async () => {
  const t0 = Date.now();
  const r = await heal(['--yes']);
  const healMs = Date.now() - t0;
  assert.is(r.code, 0, describeRun('heal --yes', r));
  assert.match(r.stdout, /saved PostgresCluster .* as it was to (\S+) \(restore: kubectl replace -f \1\)/);
  assert.match(r.stdout, new RegExp(`StatefulSet ${ns}/${healed.instance} recreated on its old volume`));
  assert.match(r.stdout, /Healed /);
  const views = await instanceViews(ns, name);
  const back = views.get(healed.instance);
  assert.ok(back?.stsUid, 'the StatefulSet is back under its old name');
  assert.is.not(back!.stsUid, healed.stsUid, 'a new StatefulSet object');
  assert.is(await pvcUid(ns, `${healed.instance}-pgdata`), healed.pvcUid, 'on the same PVC (same UID)');
  const sts = await apiOk('GET', STS(healed.instance));
  assert.is(sts.spec.template.spec.volumes.find((v: Obj) => v.name === 'postgres-data').persistentVolumeClaim.claimName, `${healed.instance}-pgdata`);
  const pc = await getCluster(ns, name);
  assert.is(pc.metadata.annotations?.[TRIGGER], undefined);
  assert.is(pc.spec.patroni.switchover.enabled, false);
  const h = await waitHealthy(ns, name, 120_000);
  const readyMs = Date.now() - t0;
  assert.is(h.replica.name, healed.instance);
  await waitStatusHealth(ns, name, 'Healthy');
  timings.push(`heal --yes: exit 0 after ${secs(healMs)}, replica Ready ${secs(readyMs)} (manual fix + PGO alone: ${secs(manualMs)})`);
  backupFile = /as it was to (\S+) \(restore/.exec(r.stdout)![1];
});

test('the backup file holds the object as it was, and kubectl replace -f accepts it', async () => {
  const text = readFileSync(backupFile, 'utf8');
  const saved = load(text) as Obj;
  assert.is(saved.metadata.name, name);
  assert.is(saved.metadata.resourceVersion, undefined);
  assert.is(saved.metadata.managedFields, undefined);
  assert.ok(saved.metadata.annotations[TRIGGER], 'it has the trigger heal removed');
  assert.is(saved.spec.patroni.switchover.enabled, true);
  const before = await getCluster(ns, name);
  const dry = await kubectl(['replace', '-f', backupFile, '--dry-run=server', '-o', 'json']);
  assert.is(dry.code, 0, describeRun('kubectl replace --dry-run=server', dry));
  assert.is(JSON.parse(dry.stdout).metadata.annotations[TRIGGER], saved.metadata.annotations[TRIGGER], 'the server would restore it as saved');
  // kubectl's own field manager, not ours: spec and annotations are what a replace would change.
  assertNoPluginWrite(before, await getCluster(ns, name), `PostgresCluster ${ns}/${name}`, 'kubectl-replace');
});

test('a second heal finds nothing to do and changes nothing', async () => {
  const before = await getCluster(ns, name);
  const files = readdirSync(backups).length;
  const r = await heal(['--yes']);
  assert.is(r.code, 0, describeRun('second heal', r));
  assert.match(r.stdout, /Nothing to heal/);
  assertNoPluginWrite(before, await getCluster(ns, name), `PostgresCluster ${ns}/${name}`);
  assert.is(readdirSync(backups).length, files);
});

test('an edit between plan and apply: the 409 is detected, heal re-reads, shows a new plan, and heals', async () => {
  const inc = await makeIncident();
  const proxy = await startConflictProxy(adminKubeconfigPath(), backups, async () => {
    const r = await api('PATCH', PGC, { metadata: { annotations: { 'e2e.kubectl-pgo/edited-meanwhile': 'yes' } } }, { contentType: 'application/merge-patch+json' });
    assert.is(r.status, 200);
    return (r.body as Obj).metadata.resourceVersion;
  });
  try {
    const r = await heal(['--yes'], { kubeconfig: proxy.kubeconfig });
    assert.is(r.code, 0, describeRun('heal through the editing proxy', r));
    assert.is(proxy.patches.length, 2, JSON.stringify(proxy.patches));
    assert.is(proxy.patches[0].status, 409, 'the first write met the real API server\'s conflict');
    assert.is(proxy.patches[1].status, 200);
    assert.is(proxy.patches[1].resourceVersion, proxy.editedTo, 'the second write is conditional on the edited object');
    assert.match(r.stdout, /conflict: PostgresCluster .* changed since it was read/);
    assert.match(r.stdout, /New plan \(1 change\), made from the objects as they are now:/);
    const pc = await getCluster(ns, name);
    assert.is(pc.metadata.annotations['e2e.kubectl-pgo/edited-meanwhile'], 'yes', 'the other edit survives');
    assert.is(pc.metadata.annotations[TRIGGER], undefined);
    assert.ok((await instanceViews(ns, name)).get(inc.instance)?.stsUid);
    assert.is(await pvcUid(ns, `${inc.instance}-pgdata`), inc.pvcUid);
  } finally {
    await proxy.close();
  }
});

test('restoring a backup with kubectl replace -f brings the old object back; heal then disarms it again', async () => {
  const saved = load(readFileSync(backupFile, 'utf8')) as Obj;
  // Without a resourceVersion in the file, kubectl replace reads the live one and PUTs with it: a
  // status write of the operator in between is a 409, which a person meets too and answers by
  // running the same command again.
  let r = await kubectl(['replace', '-f', backupFile]);
  for (let i = 0; i < 5 && r.code !== 0 && /the object has been modified/.test(r.stderr); i++) r = await kubectl(['replace', '-f', backupFile]);
  assert.is(r.code, 0, describeRun('kubectl replace -f', r));
  const restored = await getCluster(ns, name);
  assert.is(restored.metadata.annotations[TRIGGER], saved.metadata.annotations[TRIGGER]);
  assert.is(restored.spec.patroni.switchover.enabled, true);
  assert.is(restored.metadata.uid, saved.metadata.uid);
  const h = await heal(['--yes']);
  assert.is(h.code, 0, describeRun('heal after the restore', h));
  assert.match(h.stdout, /Switchover(Blocked|Pending|LeftEnabled)/);
  const pc = await getCluster(ns, name);
  assert.is(pc.metadata.annotations?.[TRIGGER], undefined);
  assert.is(pc.spec.patroni.switchover.enabled, false);
});

test.run();
