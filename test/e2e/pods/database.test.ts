// A real Patroni 3.0.2 + PostgreSQL 15 behind every database pod of an operator-shaped cluster
// (the recorded PGO objects, no operator): election, exec through the apiserver and kwok,
// replication, a crash of the primary, switchover by exec, and pod deletion.
// Needs `npm run sandbox -- up --pods`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dump, load } from 'js-yaml';
import {
  createFixtureCluster, crashDatabase, database, databases, execDb, getPod, leaderEndpoints, processAlive, roleOf,
  extraInstance, podsComponentPids, podsTreeProcesses, requireFreeSlots, runPodsHook, runtimeInfo, runtimeLog, setDatabaseCap, stopDatabase, startDatabase, waitForLeader, withDescendants, type FixtureCluster,
} from '../../helpers/pods.ts';
import { api, applyYaml, deleteNamespace, uniqueName, waitFor } from '../../helpers/sandbox.ts';

const ns = uniqueName('e2e-pods');
let fc: FixtureCluster;
let primary = '';
let replica = '';
const marker = `row-${Math.random().toString(36).slice(2, 10)}`;

async function sql(pod: string, query: string): Promise<string> {
  const r = await execDb(ns, pod, ['psql', '-Atc', query]);
  if (r.code !== 0) throw new Error(`psql on ${pod}: exit ${r.code}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

async function patroniStatus(pod: string): Promise<any> {
  const a = (await getPod(ns, pod))?.metadata.annotations?.status;
  return a ? JSON.parse(a) : undefined;
}

/** ttl and loop_wait of the cluster's dynamic configuration, as Patroni keeps it in the DCS. */
async function dcsTimings(): Promise<{ ttl: number; loopWait: number }> {
  const r = await api<any>('GET', `/api/v1/namespaces/${ns}/endpoints/${fc.cluster}-ha-config`);
  const cfg = JSON.parse(r.body.metadata.annotations.config);
  return { ttl: Number(cfg.ttl ?? 30), loopWait: Number(cfg.loop_wait ?? 10) };
}

let createdAt = 0;

test.after(async () => {
  if (!fc) return;
  const before = await databases(ns).catch(() => []);
  await deleteNamespace(ns);
  // Nothing of the namespace's databases may keep running.
  const pids = before.flatMap((d) => [d.patroniPid, d.postgresPid]).filter((p): p is number => !!p);
  await waitFor('databases of the deleted namespace to stop', async () => (await databases(ns)).length === 0 && !pids.some(processAlive), { timeoutMs: 90_000 });
});

test('the pods run and are Ready; Patroni elects one leader and writes its own status', async () => {
  // Here rather than in a before hook, whose errors uvu does not print.
  await requireFreeSlots(3); // also fails clearly when the runtime is not up (a third member joins below)
  createdAt = Date.now();
  fc = await createFixtureCluster(ns);
  await waitFor('both pods Running and Ready', async () => {
    const pods = await Promise.all(fc.pods.map((p) => getPod(ns, p)));
    return pods.every((p) => p?.status?.phase === 'Running' &&
      p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
  }, { timeoutMs: 90_000 });
  const t0 = Date.now();
  ({ primary, replicas: [replica] } = await waitForLeader(fc, 120_000));
  console.log(`    leader ${primary} elected ${((Date.now() - t0) / 1000).toFixed(1)} s after the pods were Ready, ` +
    `${((Date.now() - createdAt) / 1000).toFixed(1)} s after the objects were created`);

  const podIP = (await getPod(ns, primary))?.status?.podIP;
  // Patroni takes the lock first and writes the address once PostgreSQL is promoted.
  const ep = await waitFor('the leader\'s address in <cluster>-ha', async () => {
    const e = await leaderEndpoints(ns, fc.cluster) as any;
    return e?.subsets?.[0]?.addresses?.[0]?.ip ? e : undefined;
  });
  assert.is(ep.metadata.annotations?.leader, primary, '<cluster>-ha Endpoints name the leader');
  assert.is(ep.subsets[0].addresses[0].ip, podIP, 'the leader Endpoints carry the pod IP kwok gave');
  const db = await database(ns, primary);
  assert.is(ep.subsets[0].ports?.[0]?.port, db!.postgresPort, 'and the port PostgreSQL listens on');

  for (const [pod, role] of [[primary, 'master'], [replica, 'replica']]) {
    const st = await patroniStatus(pod);
    const db = await database(ns, pod);
    assert.ok(db, `the runtime runs a database for ${pod}`);
    assert.is(st.role, role);
    assert.is(st.state, 'running');
    assert.is(st.version, '3.0.2');
    assert.is(st.conn_url, `postgres://127.0.0.1:${db!.postgresPort}/postgres`);
    assert.is(st.api_url, `http://127.0.0.1:${db!.apiPort}/patroni`);
    assert.type(st.timeline, 'number');
    assert.ok(processAlive(db!.patroniPid!) && processAlive(db!.postgresPid!), `${pod}: patroni and postgres run`);
  }
});

test('kubectl exec runs patronictl and psql against the pod\'s own Patroni and PostgreSQL', async () => {
  for (const pod of [primary, replica]) {
    const list = await execDb(ns, pod, ['patronictl', 'list']);
    assert.is(list.code, 0, list.stderr);
    assert.is(list.stderr, '', 'no stderr (PGO treats any as a failure)');
    const row = (m: string) => list.stdout.split('\n').find((l) => l.includes(` ${m} `)) ?? '';
    assert.match(row(primary), /\| Leader\s+\| running/);
    assert.match(row(replica), /\| Replica\s+\| (running|streaming)/);
    assert.is(await sql(pod, 'select pg_is_in_recovery()'), pod === primary ? 'f' : 't');
    const db = await database(ns, pod);
    assert.is(await sql(pod, "select current_setting('port')"), String(db!.postgresPort));
  }
});

test('stdin reaches exec\'d programs: psql --file=- and patronictl edit-config --replace=-', async () => {
  const r = await execDb(ns, primary, ['psql', '-At', '--set=ON_ERROR_STOP=1', '--file=-'], { input: 'select 40 + 2;\n' });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.trim(), '42');
  const shown = await execDb(ns, primary, ['patronictl', 'show-config']);
  const cfg = load(shown.stdout) as any;
  cfg.postgresql.parameters.work_mem = '7MB';
  const edit = await execDb(ns, primary, ['patronictl', 'edit-config', '--replace=-', '--force'], { input: dump(cfg) });
  assert.is(edit.code, 0, edit.stderr);
  assert.is(edit.stderr, '');
  await waitFor('work_mem 7MB on the primary', async () => (await sql(primary, 'show work_mem')) === '7MB', { timeoutMs: 30_000 });
});

test('a row written on the primary is read on the replica', async () => {
  await sql(primary, `create table kpgo_e2e(v text); insert into kpgo_e2e values ('${marker}')`);
  const got = await waitFor('the row on the replica', async () => {
    const v = await sql(replica, 'select v from kpgo_e2e').catch(() => '');
    return v === marker ? v : undefined;
  }, { timeoutMs: 30_000 });
  assert.is(got, marker);
});

test('crash of the primary: the replica takes over within the TTL, the old primary rejoins on its own data', async () => {
  const { ttl, loopWait } = await dcsTimings();
  const oldTimeline = (await patroniStatus(primary)).timeline as number;
  const before = (await database(ns, primary))!;
  const killed = await crashDatabase(ns, primary); // held down until startDatabase
  assert.ok(killed.includes(before.patroniPid!) && killed.includes(before.postgresPid!), 'patroni and postgres were killed');
  const t0 = Date.now();
  await waitFor(`${replica} to become the leader`, async () =>
    (await roleOf(ns, replica)) === 'master' && (await leaderEndpoints(ns, fc.cluster))?.metadata.annotations?.leader === replica,
  { timeoutMs: (ttl + loopWait + 30) * 1000, intervalMs: 500 });
  const took = (Date.now() - t0) / 1000;
  const crashed = await getPod(ns, primary);
  const dbStatus = crashed?.status?.containerStatuses?.find((c: any) => c.name === 'database');
  assert.is(crashed?.status?.conditions?.find((c: any) => c.type === 'Ready')?.status, 'False', 'the crashed member\'s pod is not Ready');
  assert.ok(dbStatus?.restartCount >= 1 && dbStatus?.state?.waiting, 'its database container is waiting, restarted');
  console.log(`    failover after ${took.toFixed(1)} s (ttl ${ttl}, loop_wait ${loopWait})`);
  assert.ok(took <= ttl + loopWait + 5, `failover within ttl + loop_wait (${took} s)`);
  const newTimeline = await waitFor('the new timeline in the status annotation', async () => {
    const st = await patroniStatus(replica);
    return st?.role === 'master' && st.timeline > oldTimeline ? st.timeline as number : undefined;
  });
  assert.ok(newTimeline > oldTimeline);
  assert.is(await sql(replica, 'select pg_is_in_recovery()'), 'f');

  await startDatabase(ns, primary);
  await waitFor(`${primary} to rejoin as replica`, async () => {
    const st = await patroniStatus(primary);
    return (await roleOf(ns, primary)) === 'replica' && st?.role === 'replica' && st.state === 'running' && st.timeline === newTimeline;
  }, { timeoutMs: 90_000, intervalMs: 500 });
  await waitFor(`${primary} Ready again`, async () =>
    (await getPod(ns, primary))?.status?.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True', { timeoutMs: 30_000 });
  const after = (await database(ns, primary))!;
  assert.is(after.dataDir, before.dataDir, 'same data directory');
  assert.is(await sql(primary, 'select v from kpgo_e2e'), marker, 'its own data survived the crash');
  assert.is(await sql(primary, 'select pg_is_in_recovery()'), 't');
  [primary, replica] = [replica, primary];
});

test('patronictl switchover by exec moves the leader; the current leader as candidate fails', async () => {
  const sw = await execDb(ns, primary, ['patronictl', 'switchover', '--candidate', replica, '--force']);
  assert.is(sw.code, 0, sw.stderr + sw.stdout);
  await waitFor(`${replica} to lead after the switchover`, async () =>
    (await roleOf(ns, replica)) === 'master' && (await roleOf(ns, primary)) === 'replica' &&
    (await leaderEndpoints(ns, fc.cluster))?.metadata.annotations?.leader === replica,
  { timeoutMs: 60_000, intervalMs: 500 });
  [primary, replica] = [replica, primary];
  await waitFor('the old leader streaming again', async () => (await patroniStatus(replica))?.state === 'running', { timeoutMs: 60_000 });

  const same = await execDb(ns, primary, ['patronictl', 'switchover', '--candidate', primary, '--force']);
  assert.is.not(same.code, 0, 'switchover to the current leader must fail');
  assert.match(same.stdout + same.stderr, /target and source are the same/);
  assert.is(await roleOf(ns, primary), 'master', 'leader unchanged');
});

test('a pod\'s database stopped without deleting the pod: gone from Patroni, pod kept and not Ready; started again', async () => {
  const before = (await database(ns, replica))!;
  const uid = (await getPod(ns, replica))!.metadata.uid;
  await stopDatabase(ns, replica);
  assert.ok(!processAlive(before.patroniPid!) && !processAlive(before.postgresPid!), 'patroni and postgres exited');
  assert.is((await getPod(ns, replica))?.metadata.uid, uid, 'the pod is the same');
  await waitFor(`${replica} not Ready`, async () =>
    (await getPod(ns, replica))?.status?.conditions?.find((c: any) => c.type === 'Ready')?.status === 'False', { timeoutMs: 15_000 });
  const list = await execDb(ns, primary, ['patronictl', 'list']);
  assert.ok(!list.stdout.includes(replica) || /stopped|unknown/i.test(list.stdout.split('\n').find((l) => l.includes(replica)) ?? ''),
    `patronictl no longer lists ${replica} as running:\n${list.stdout}`);
  await startDatabase(ns, replica);
  await waitFor(`${replica} streaming and Ready again`, async () => {
    const p = await getPod(ns, replica);
    return (await patroniStatus(replica))?.state === 'running' && p?.metadata.labels?.['postgres-operator.crunchydata.com/role'] === 'replica' &&
      p?.status?.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True';
  }, { timeoutMs: 60_000, intervalMs: 500 });
  assert.is(await sql(replica, 'select v from kpgo_e2e'), marker);
});

test('deleting a pod stops its database; the recreated pod finds its data on the same claim', async () => {
  const before = (await database(ns, replica))!;
  const oldUid = (await getPod(ns, replica))!.metadata.uid;
  const r = await api('DELETE', `/api/v1/namespaces/${ns}/pods/${replica}`);
  assert.is(r.status, 200);
  await waitFor('the deleted pod\'s patroni and postgres to exit', async () =>
    !processAlive(before.patroniPid!) && !processAlive(before.postgresPid!), { timeoutMs: 60_000 });
  const again = await waitFor('a database for the recreated pod', async () => {
    const d = await database(ns, replica);
    return d && d.podUid !== oldUid && d.role === 'replica' ? d : undefined;
  }, { timeoutMs: 90_000, intervalMs: 500 });
  assert.is(again.dataDir, before.dataDir, 'the same claim, the same data directory');
  await waitFor('the recreated pod labelled replica', async () => (await roleOf(ns, replica)) === 'replica', { timeoutMs: 30_000 });
  assert.is(await sql(replica, 'select v from kpgo_e2e'), marker);
});

test('above the cap a pod runs without a database, and the runtime says which; it gets one when there is room', async () => {
  const extra = 'hippo-instance3-x9z9';
  const { cap, slots } = await runtimeInfo();
  const used = Object.keys(slots).length;
  await setDatabaseCap(used); // every slot taken
  try {
    await applyYaml(extraInstance(fc, extra), { namespace: ns });
    const pod = `${extra}-0`;
    await waitFor(`${pod} Running`, async () => (await getPod(ns, pod))?.status?.phase === 'Running', { timeoutMs: 60_000 });
    await waitFor('the runtime to log the pod without a database', async () =>
      runtimeLog().includes(`${ns}/${pod}: runs WITHOUT a database: all ${used} database slots are taken`), { timeoutMs: 15_000 });
    assert.is(await database(ns, pod), undefined, 'no database for it');
    assert.ok((await runtimeInfo()).withoutDatabase >= 1);
    await setDatabaseCap(used + 1);
    await waitFor(`${pod} to join as a replica`, async () =>
      (await roleOf(ns, pod)) === 'replica' && (await database(ns, pod))?.role === 'replica', { timeoutMs: 90_000, intervalMs: 500 });
    assert.is(await sql(pod, 'select v from kpgo_e2e'), marker, 'it has the cluster\'s data');
    fc.pods.push(pod);
  } finally {
    await setDatabaseCap(Math.max(cap, used + 1));
  }
});

test('pods/down.sh leaves nothing running; up --pods brings the databases back on their data', async () => {
  const { cap, databases: dbs } = await runtimeInfo();
  assert.ok(dbs.length >= 2, 'databases run before down');
  const components = podsComponentPids();
  const ours = withDescendants([
    ...Object.values(components),
    ...dbs.flatMap((d) => [d.patroniPid, d.postgresPid]).filter((p): p is number => !!p),
  ]);
  const down = await runPodsHook('down');
  assert.is(down.code, 0, down.stderr);
  console.log(`    pods down in ${(down.ms / 1000).toFixed(1)} s`);
  assert.equal(ours.filter(processAlive), [], 'every process of the pods hook has exited');
  assert.equal(podsTreeProcesses(), [], 'no process names the pods tree');

  const up = await runPodsHook('up', { KPGO_MAX_DATABASES: String(cap) }); // as it ran before
  assert.is(up.code, 0, up.stderr);
  console.log(`    pods up (warm) in ${(up.ms / 1000).toFixed(1)} s`);
  const t0 = Date.now();
  const leader = await waitForLeader(fc, 150_000);
  console.log(`    ${fc.pods.length}-member cluster ready again ${((Date.now() - t0) / 1000).toFixed(1)} s after up`);
  assert.is(await sql(leader.primary, 'select v from kpgo_e2e'), marker, 'the data survived');
  for (const d of await databases(ns)) {
    console.log(`    ${d.pod}: patroni ${(d.patroniRssKb / 1024).toFixed(0)} MB + postgres ${(d.postgresRssKb / 1024).toFixed(0)} MB RSS (PSS ${((d.patroniPssKb + d.postgresPssKb) / 1024).toFixed(0)} MB)`);
  }
});

test.run();
