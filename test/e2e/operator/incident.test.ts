// The operator in the sandbox, end to end, with real Patroni and PostgreSQL behind the pods:
// the model of PGO by default, the real operator binary with SANDBOX_OPERATOR=PATH. One
// two-instance cluster walks through the seed incident: healthy, a replica StatefulSet deleted
// and recreated, then deleted while a switchover to the current primary is pending (never
// recreated: "Need more than one instance to switchover"), the manual fix, and a real switchover.
// Needs `npm run sandbox -- up --operator` and a built plugin (`npm run build`).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  TRIGGER,
  clusterManifest,
  getCluster,
  instanceViews,
  patchCluster,
  patroniMembers,
  pvcUid,
  waitHealthy,
  waitStatusHealth,
  type Obj,
} from '../../helpers/operator.ts';
import { operatorSuite } from '../../helpers/operator-suite.ts';
import { apiOk, describeRun, kubectlPgo, waitFor } from '../../helpers/sandbox.ts';

const name = 'hippo';
const { ns, timings, sts: STS, clusterLog, createCluster } = operatorSuite(test, 'e2e-operator', {
  setUp: () => createCluster(clusterManifest(ns, name)),
});
const logFor = () => clusterLog(name);

async function deleteStatefulSet(instance: string): Promise<void> {
  await apiOk('DELETE', STS(instance), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
  await waitFor(`StatefulSet ${instance} gone`, async () => !(await instanceViews(ns, name)).get(instance)?.stsUid, { timeoutMs: 30_000 });
}

test('1. both instance StatefulSets are created, the databases come up, one master', async () => {
  const { primary, replica } = await waitHealthy(ns, name);
  assert.match(primary.name, /^hippo-instance[12]-[bcdfghjklmnpqrstvwxz2456789]{4}$/);
  assert.match(replica.name, /^hippo-instance[12]-[bcdfghjklmnpqrstvwxz2456789]{4}$/);
  assert.is.not(primary.set, replica.set);
  const members = await patroniMembers(ns, primary.pod!);
  assert.equal(members.filter((m) => m.Role === 'Leader').map((m) => m.Member), [primary.pod]);
  // PGO writes these on its own reconciles, after the pods turned Ready: waited for, never read once.
  await waitFor('status.patroni.systemIdentifier', async () => Boolean((await getCluster(ns, name)).status?.patroni?.systemIdentifier));
  const want = JSON.stringify([['instance1', 1, 1], ['instance2', 1, 1]]);
  let seen = '';
  await waitFor('status.observedGeneration = metadata.generation and status.instances[] [name, replicas, readyReplicas] all ready', async () => {
    const c = await getCluster(ns, name);
    seen = `observedGeneration ${c.status?.observedGeneration} (generation ${c.metadata.generation}), instances ${JSON.stringify((c.status?.instances ?? []).map((i: Obj) => [i.name, i.replicas, i.readyReplicas]))}`;
    return c.status?.observedGeneration === c.metadata.generation && seen.endsWith(`instances ${want}`);
  }, { timeoutMs: 60_000, intervalMs: 500 }).catch((e) => assert.unreachable(`${e.message}; last seen: ${seen}`));
});

test('2. nothing pending: a deleted replica StatefulSet comes back under its name, on its PVC, as replica', async () => {
  const { replica } = await waitHealthy(ns, name);
  const pvc = await pvcUid(ns, `${replica.name}-pgdata`);
  assert.ok(pvc);
  await deleteStatefulSet(replica.name);
  const back = await waitFor('the StatefulSet recreated', async () => (await instanceViews(ns, name)).get(replica.name)?.stsUid, { timeoutMs: 30_000 });
  assert.is.not(back, replica.stsUid, 'a new StatefulSet object');
  assert.is(await pvcUid(ns, `${replica.name}-pgdata`), pvc, 'the same PVC (same UID)');
  const sts = await apiOk('GET', STS(replica.name));
  assert.is(sts.spec.template.spec.volumes.find((v: Obj) => v.name === 'postgres-data').persistentVolumeClaim.claimName, `${replica.name}-pgdata`);
  const again = await waitHealthy(ns, name);
  assert.is(again.replica.name, replica.name, 'Patroni rejoined it as replica');
});

test('3. switchover to the current primary, then the replica StatefulSet deleted: never recreated; status says Blocked', async () => {
  const { primary, replica } = await waitHealthy(ns, name);
  const trigger = `e2e-blocked-${Date.now()}`;
  await patchCluster(ns, name, { metadata: { annotations: { [TRIGGER]: trigger } }, spec: { patroni: { switchover: { enabled: true, targetInstance: primary.name } } } });
  // The operator keeps failing the switchover step (patronictl exits 1: target is already leader).
  await waitFor('the switchover step to fail in the operator log', async () => logFor().some((l) => l.includes('reconcilePatroniSwitchover') && l.includes('level=error')), {
    timeoutMs: 60_000,
  });
  assert.is.not((await getCluster(ns, name)).status?.patroni?.switchover, trigger, 'still pending');

  await deleteStatefulSet(replica.name);
  await waitFor('"Need more than one instance to switchover" in the operator log', async () => logFor().some((l) => l.includes('Need more than one instance to switchover')), {
    timeoutMs: 60_000,
  });
  // A generous wait: PGO retries with backoff and on every event; it must still not come back.
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    assert.not.ok((await instanceViews(ns, name)).get(replica.name)?.stsUid, 'the replica StatefulSet must not be recreated while the switchover is pending');
    await new Promise((r) => setTimeout(r, 1000));
  }
  const events = await apiOk('GET', `/api/v1/namespaces/${ns}/events`);
  assert.not.ok(
    (events.items ?? []).some((e: Obj) => /switchover/i.test(`${e.reason} ${e.message}`)),
    'PGO emits no event about the failing switchover',
  );
  assert.not.ok(((await getCluster(ns, name)).status?.conditions ?? []).some((c: Obj) => /switchover/i.test(`${c.reason} ${c.message}`)), 'and no condition');

  const r = await kubectlPgo(['status', name, '-n', ns, '-o', 'json']);
  assert.is(r.code, 2, describeRun('kubectl pgo status', r));
  const report = JSON.parse(r.stdout);
  const c = report.clusters.find((x: Obj) => x.name === name);
  assert.is(c.health, 'Blocked', describeRun('kubectl pgo status', r));
  const codes = c.findings.map((f: Obj) => f.code);
  assert.ok(codes.includes('SwitchoverBlocked'), codes.join(','));
  assert.ok(codes.includes('InstanceMissing'), codes.join(','));
});

test("3b. status reads PGO's log through pods/log: SwitchoverBlocked confirmed by it (count, since), no second finding", async () => {
  const need = () => logFor().filter((l) => l.includes('msg="Reconciler error"') && l.includes('error="Need more than one instance to switchover"'));
  const before = need().length;
  const r = await kubectlPgo(['status', name, '-n', ns, '-o', 'json']);
  const after = need().length;
  assert.is(r.code, 2, describeRun('kubectl pgo status', r));
  const report = JSON.parse(r.stdout);
  // The log was read from the operator's pod, and the report says from where and how far back.
  const source = report.operator.log?.sources?.[0];
  assert.ok(source, describeRun('operator.log in the report', r));
  assert.match(source.pod, /^postgres-operator\/pgo-/);
  assert.is(source.container, 'operator');
  assert.is(source.sinceSeconds, 900);
  assert.ok(source.lines > 0 && source.from <= source.to, JSON.stringify(source));
  const c = report.clusters.find((x: Obj) => x.name === name);
  const codes = c.findings.map((f: Obj) => f.code);
  assert.not.ok(codes.includes('ReconcileFailing'), `the switchover step's errors are SwitchoverBlocked's, not a second finding: ${codes.join(',')}`);
  const blocked = c.findings.find((f: Obj) => f.code === 'SwitchoverBlocked');
  const seen = blocked.data.operatorLog;
  assert.ok(seen, JSON.stringify(blocked));
  assert.is(seen.error, 'Need more than one instance to switchover');
  assert.is(seen.step, 'reconcilePatroniSwitchover');
  assert.ok(seen.count >= Math.min(before, 1) && seen.count <= after, `count ${seen.count}, the file had ${before}..${after} such lines`);
  const firstLine = need()[0];
  assert.is(seen.first, /time="([^"]+)"/.exec(firstLine)![1], 'first: the time of the first such line');
  assert.ok(seen.last >= seen.first);
  assert.match(blocked.message, new RegExp(`confirmed by the operator's log: (${seen.count} times|once) since ${seen.first.slice(11, 16)} UTC$`));
});

test('4. the request removed by hand: recreated on the same PVC within seconds, healthy again', async () => {
  const views = await instanceViews(ns, name);
  const missing = (await getCluster(ns, name)).spec.instances
    .map((s: Obj) => s.name)
    .find((set: string) => ![...views.values()].some((v) => v.set === set && v.stsUid));
  assert.ok(missing, 'one set has no StatefulSet');
  const orphan = await apiOk('GET', `/api/v1/namespaces/${ns}/persistentvolumeclaims?labelSelector=${encodeURIComponent(`postgres-operator.crunchydata.com/instance-set=${missing},postgres-operator.crunchydata.com/role=pgdata`)}`);
  assert.is(orphan.items.length, 1);
  const instance = orphan.items[0].metadata.labels['postgres-operator.crunchydata.com/instance'];
  const pvc = orphan.items[0].metadata.uid;

  const t0 = Date.now();
  await patchCluster(
    ns,
    name,
    [
      { op: 'remove', path: '/spec/patroni/switchover' },
      { op: 'remove', path: `/metadata/annotations/${TRIGGER.replace('/', '~1')}` },
    ],
    'json',
  );
  await waitFor('the StatefulSet recreated', async () => (await instanceViews(ns, name)).get(instance)?.stsUid, { timeoutMs: 15_000, intervalMs: 100 });
  const tSts = Date.now() - t0;
  assert.is(await pvcUid(ns, `${instance}-pgdata`), pvc, 'on the same PVC');
  const healthy = await waitHealthy(ns, name, 120_000);
  const tReady = Date.now() - t0;
  assert.is(healthy.replica.name, instance);
  timings.push(`manual fix -> StatefulSet recreated ${(tSts / 1000).toFixed(1)} s, -> replica Ready ${(tReady / 1000).toFixed(1)} s`);
  assert.ok(tSts < 10_000, `recreated within seconds (took ${tSts} ms)`);
  await waitFor('disabling to clear status.patroni.switchover', async () => (await getCluster(ns, name)).status?.patroni?.switchover === undefined, { timeoutMs: 60_000 });
  // status reads what PGO writes (status, events, conditions) on its own schedule: waited for too.
  // The new instance changes pgBackRest's config, so PGO runs stanza-create again; it can lose the
  // repo lock to a backup in flight and retries with backoff, so this waits minutes, not seconds.
  await waitStatusHealth(ns, name, 'Healthy', 180_000);
});

test('5. a valid switchover: the leader moves to the target and status.patroni.switchover equals the trigger', async () => {
  const { primary, replica } = await waitHealthy(ns, name);
  const trigger = `e2e-valid-${Date.now()}`;
  const t0 = Date.now();
  await patchCluster(ns, name, { metadata: { annotations: { [TRIGGER]: trigger } }, spec: { patroni: { switchover: { enabled: true, targetInstance: replica.name } } } });
  await waitFor('status.patroni.switchover = trigger', async () => (await getCluster(ns, name)).status?.patroni?.switchover === trigger, { timeoutMs: 120_000, intervalMs: 500 });
  timings.push(`switchover done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const after = await waitHealthy(ns, name, 120_000);
  assert.is(after.primary.name, replica.name, 'the target is primary now (by pod role)');
  assert.is(after.replica.name, primary.name);
  const members = await patroniMembers(ns, after.primary.pod!);
  assert.equal(members.filter((m) => m.Role === 'Leader').map((m) => m.Member), [after.primary.pod], 'and by Patroni');
  // Done as the operator's users should: disable and drop the trigger.
  await patchCluster(ns, name, [
    { op: 'remove', path: '/spec/patroni/switchover' },
    { op: 'remove', path: `/metadata/annotations/${TRIGGER.replace('/', '~1')}` },
  ], 'json');
});

test.run();
