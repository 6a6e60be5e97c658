// switchover end to end against the operator in the sandbox with real Patroni, through real
// kubectl with the built plugin on PATH: refused on a one-instance cluster (nothing changes),
// refused to the current primary, and a valid switchover that moves Patroni's leader, is
// verified by PGO's status and the leader, and is cleaned up afterwards.
// Needs `npm run sandbox -- up --operator` and `npm run build`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TRIGGER, clusterManifest, getCluster, patroniMembers, waitHealthy } from '../../helpers/operator.ts';
import { operatorSuite } from '../../helpers/operator-suite.ts';
import { apiOk, describeRun, kubectlPgo, waitFor } from '../../helpers/sandbox.ts';
import { assertNoPluginWrite } from '../../helpers/plugin-writes.ts';

const two = 'hippo';
const one = 'solo';
const backups = mkdtempSync(path.join(tmpdir(), 'kpgo-e2e-sw-'));
const { ns, timings, createCluster } = operatorSuite(test, 'e2e-switchover', {
  setUp: async () => {
    await createCluster(clusterManifest(ns, two));
    const solo = clusterManifest(ns, one);
    solo.spec.instances = [solo.spec.instances[0]];
    await createCluster(solo);
    await waitHealthy(ns, two);
  },
  tearDown: () => rmSync(backups, { recursive: true, force: true }),
});
const HA = (c: string) => `/api/v1/namespaces/${ns}/endpoints/${c}-ha`;
const sw = (cluster: string, args: string[]) => kubectlPgo(['switchover', cluster, '-n', ns, '--backup-dir', backups, ...args], { timeoutMs: 240_000 });

test('a one-instance cluster is refused: exit 1, one clear reason, nothing written', async () => {
  await waitFor('the solo StatefulSet', async () => {
    const l = await apiOk('GET', `/apis/apps/v1/namespaces/${ns}/statefulsets?labelSelector=${encodeURIComponent(`postgres-operator.crunchydata.com/cluster=${one},postgres-operator.crunchydata.com/instance`)}`);
    return l.items.length === 1;
  }, { timeoutMs: 60_000 });
  const before = await getCluster(ns, one);
  const r = await sw(one, ['--yes']);
  assert.is(r.code, 1, describeRun('switchover solo', r));
  assert.match(r.stderr, /^error: refusing to switchover .*nothing was changed:\n  - .* has 1 instance; a switchover needs at least two/m);
  const after = await getCluster(ns, one);
  assertNoPluginWrite(before, after, `PostgresCluster ${ns}/${one}`);
  assert.is(after.metadata.annotations?.[TRIGGER], undefined);
});

test('--to the current primary (how the incident started) is refused and changes nothing', async () => {
  const { primary } = await waitHealthy(ns, two);
  const before = await getCluster(ns, two);
  const r = await sw(two, ['--to', primary.pod!, '--yes']);
  assert.is(r.code, 1, describeRun('switchover to the primary', r));
  assert.match(r.stderr, /is already the primary/);
  assertNoPluginWrite(before, await getCluster(ns, two), `PostgresCluster ${ns}/${two}`);
});

test('--dry-run=server: validated by the server, nothing stored', async () => {
  const before = await getCluster(ns, two);
  const r = await sw(two, ['--dry-run=server']);
  assert.is(r.code, 0, describeRun('switchover --dry-run=server', r));
  assertNoPluginWrite(before, await getCluster(ns, two), `PostgresCluster ${ns}/${two}`);
});

test('a valid switchover: the leader moves to the chosen replica, verified, then disarmed; exit 0', async () => {
  const { primary, replica } = await waitHealthy(ns, two);
  const t0 = Date.now();
  const r = await sw(two, ['--yes', '-o', 'json']);
  const ms = Date.now() - t0;
  assert.is(r.code, 0, describeRun('switchover', r));
  const out = JSON.parse(r.stdout);
  assert.is(out.result, 'switched-over');
  assert.is(out.from, primary.name);
  assert.is(out.to, replica.name);
  assert.match(out.choice, /the only ready, running replica/);
  assert.equal(out.verified, { statusDone: true, leader: replica.pod, leaderIsTarget: true, targetLabelled: true });
  assert.is(out.cleanup, 'done');
  assert.match(r.stderr, /Switched over: /);
  // Independently of the plugin: Patroni's leader annotation, the role labels and patronictl agree.
  const ha = await apiOk('GET', HA(two));
  assert.is(ha.metadata.annotations.leader, replica.pod);
  const after = await waitHealthy(ns, two, 120_000);
  assert.is(after.primary.name, replica.name);
  const members = await patroniMembers(ns, replica.pod!);
  assert.equal(members.filter((m) => m.Role === 'Leader').map((m) => m.Member), [replica.pod]);
  // Cleaned up: nothing left armed.
  const pc = await getCluster(ns, two);
  assert.is(pc.spec.patroni.switchover.enabled, false);
  assert.is(pc.metadata.annotations?.[TRIGGER], undefined);
  timings.push(`switchover verified and cleaned up in ${(ms / 1000).toFixed(1)} s`);
});

test('--keep-enabled: status.patroni.switchover equals the trigger; heal then disarms what was left enabled', async () => {
  const { replica } = await waitHealthy(ns, two);
  const r = await sw(two, ['--to', replica.name, '--keep-enabled', '--yes', '-o', 'json']);
  assert.is(r.code, 0, describeRun('switchover --keep-enabled', r));
  const out = JSON.parse(r.stdout);
  const pc = await getCluster(ns, two);
  assert.is(pc.metadata.annotations[TRIGGER], out.trigger);
  assert.is(pc.status.patroni.switchover, out.trigger, 'PGO recorded the trigger as completed');
  assert.is(pc.spec.patroni.switchover.enabled, true);
  assert.is((await apiOk('GET', HA(two))).metadata.annotations.leader, `${replica.name}-0`);
  const h = await kubectlPgo(['heal', two, '-n', ns, '--backup-dir', backups, '--yes'], { timeoutMs: 240_000 });
  assert.is(h.code, 0, describeRun('heal after --keep-enabled', h));
  assert.match(h.stdout, /SwitchoverLeftEnabled/);
  const healed = await getCluster(ns, two);
  assert.is(healed.spec.patroni.switchover.enabled, false);
  assert.is(healed.metadata.annotations?.[TRIGGER], undefined);
});

test.run();
