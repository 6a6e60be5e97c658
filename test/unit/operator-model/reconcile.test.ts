// The model's reconcile on an in-memory API loaded with the recorded objects: PGO's order
// (switchover before instances), its error strings, the incident and its manual fix, the
// timeline rule, pause and shutdown, and status derived as the recorded status shows it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ExecError } from '../../../scripts/sandbox/operator/model/exec.ts';
import type { Kube } from '../../../scripts/sandbox/kube/client.ts';
import { Logger } from '../../../scripts/sandbox/operator/model/log.ts';
import { reconcile, type Deps } from '../../../scripts/sandbox/operator/model/reconcile.ts';
import type { ExecResult } from '../../../scripts/sandbox/operator/model/switchover.ts';
import { find, recorded, type Obj } from '../../helpers/operator.ts';
import { ENV, FakeKube, PLURAL, reconcileError } from '../../helpers/model-kube.ts';


interface Scripted {
  timeline: number;
  leader: string;
  switchover: (cmd: string[]) => ExecResult;
  /** Every other exec (psql, patronictl edit-config, stanza-create): succeeds unless told. */
  other?: (cmd: string[]) => ExecResult;
}
function deps(kube: FakeKube, script: Scripted, lines: string[] = []): Deps & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    kube: kube as unknown as Kube,
    env: ENV,
    log: new Logger({}, (l) => lines.push(l), true),
    events: { record: async () => {} },
    rand: () => 0,
    exec: async (_ns, pod, container, cmd) => {
      calls.push([pod, container, ...cmd]);
      if (cmd[1] === 'list') return { stdout: JSON.stringify([{ Member: script.leader, Role: 'Leader', State: 'running', TL: script.timeline }]), stderr: '' };
      if (cmd[0] === 'patronictl' && (cmd[1] === 'switchover' || cmd[1] === 'failover')) return script.switchover(cmd);
      return script.other ? script.other(cmd) : { stdout: '', stderr: '' };
    },
  };
}

const failingSwitchover = (cmd: string[]): ExecResult => {
  throw new ExecError(`Internal error occurred: error executing command in container: cmd wait: ${cmd.join(' ')}: exit status 1`);
};

const stuck = () => new FakeKube(recorded('v5.8.9', 'switchover-stuck-target-is-primary.yaml'));
const healthy = () => new FakeKube(recorded('v5.8.9', 'healthy.yaml'));

test('switchover to the current primary: the exec fails, every later step is skipped', async () => {
  const kube = stuck();
  const d = deps(kube, { timeline: 4, leader: 'hippo-instance1-hcjs-0', switchover: failingSwitchover });
  const e = await reconcileError(d);
  assert.is(e.func, 'postgrescluster.(*Reconciler).reconcilePatroniSwitchover');
  assert.is(e.message, 'Internal error occurred: error executing command in container: cmd wait: patronictl switchover --scheduled=now --force --candidate=hippo-instance1-hcjs-0: exit status 1');
  assert.equal(d.calls.at(-1)?.slice(0, 2), ['hippo-instance1-hcjs-0', 'database']);
  // Only the namespace's root CA Secret, which PGO writes before the switchover step (the recording has no Secrets).
  assert.equal(kube.writes.filter((w) => w.verb === 'apply').map((w) => w.path), ['/api/v1/namespaces/db/secrets/pgo-root-cacert'], 'no object written after a failed switchover step');
  assert.is(kube.cluster().status.patroni.switchover, 'Wed Nov 25 17:11:18 UTC 2026', 'still pending');
});

test('the incident: replica StatefulSet deleted while pending -> "Need more than one instance", not recreated', async () => {
  const kube = stuck();
  kube.remove('StatefulSet', 'hippo-instance2-k5cc');
  kube.remove('Pod', 'hippo-instance2-k5cc-0');
  const d = deps(kube, { timeline: 4, leader: 'hippo-instance1-hcjs-0', switchover: failingSwitchover });
  const e = await reconcileError(d);
  assert.is(e.message, 'Need more than one instance to switchover');
  assert.is(e.func, 'postgrescluster.(*Reconciler).reconcilePatroniSwitchover');
  assert.equal(kube.applied('StatefulSet'), []);
  assert.equal(d.calls, [], 'no exec before the instance count check');
  assert.is(kube.cluster().status.observedGeneration, 5, 'observedGeneration is written even on error');
});

test('the fix: request removed by hand -> recreated under the same name on the orphaned PVC', async () => {
  const kube = stuck();
  kube.remove('StatefulSet', 'hippo-instance2-k5cc');
  kube.remove('Pod', 'hippo-instance2-k5cc-0');
  const c = kube.cluster();
  delete c.metadata.annotations['postgres-operator.crunchydata.com/trigger-switchover'];
  delete c.spec.patroni.switchover;
  await reconcile(deps(kube, { timeline: 4, leader: 'x', switchover: failingSwitchover }), 'db', 'hippo');
  assert.equal(kube.applied('StatefulSet').sort(), ['hippo-instance1-hcjs', 'hippo-instance2-k5cc', 'hippo-repo-host']);
  const sts = kube.store.get(`${PLURAL.StatefulSet}/hippo-instance2-k5cc`);
  assert.is(sts.spec.template.spec.volumes.find((v: Obj) => v.name === 'postgres-data').persistentVolumeClaim.claimName, 'hippo-instance2-k5cc-pgdata');
  const st = kube.cluster().status.patroni;
  assert.is(st.switchover, undefined, 'disabling clears the switchover status');
  assert.is(st.switchoverTimeline, undefined);
});

test('a set short of an instance with no orphaned PVC gets a new random name', async () => {
  const kube = healthy();
  kube.remove('StatefulSet', 'hippo-instance2-k5cc');
  kube.remove('Pod', 'hippo-instance2-k5cc-0');
  kube.remove('PersistentVolumeClaim', 'hippo-instance2-k5cc-pgdata');
  await reconcile(deps(kube, { timeline: 3, leader: 'x', switchover: failingSwitchover }), 'db', 'hippo');
  assert.ok(kube.applied('StatefulSet').includes('hippo-instance2-bbbb'), kube.applied('StatefulSet').join(','));
  assert.ok(kube.applied('PersistentVolumeClaim').includes('hippo-instance2-bbbb-pgdata'));
});

test('the first reconcile of a request records the timeline and does not switch yet', async () => {
  const kube = healthy();
  const c = kube.cluster();
  c.metadata.annotations['postgres-operator.crunchydata.com/trigger-switchover'] = 'now-1';
  c.spec.patroni.switchover = { enabled: true, targetInstance: 'hippo-instance1-hcjs' };
  const d = deps(kube, { timeline: 3, leader: 'hippo-instance2-k5cc-0', switchover: () => ({ stdout: 'Successfully switched over to "hippo-instance1-hcjs-0"', stderr: '' }) });
  await reconcile(d, 'db', 'hippo');
  assert.is(kube.cluster().status.patroni.switchoverTimeline, 3);
  assert.equal(d.calls.filter((c) => c[2] === 'patronictl' && c[3] !== 'edit-config').map((c) => c[3]), ['list']);
  // second pass: same timeline -> patronictl switchover with the target's pod, status = trigger
  await reconcile(d, 'db', 'hippo');
  assert.equal(d.calls.filter((c) => c[3] === 'switchover').at(-1)?.slice(2), ['patronictl', 'switchover', '--scheduled=now', '--force', '--candidate=hippo-instance1-hcjs-0']);
  assert.is(kube.cluster().status.patroni.switchover, 'now-1');
  assert.is(kube.cluster().status.patroni.switchoverTimeline, undefined);
});

test("PGO's timeline rule: a moved timeline marks the switchover done without any switchover", async () => {
  const kube = stuck();
  const lines: string[] = [];
  const d = deps(kube, { timeline: 5, leader: 'hippo-instance1-hcjs-0', switchover: failingSwitchover }, lines);
  await reconcile(d, 'db', 'hippo');
  assert.is(kube.cluster().status.patroni.switchover, 'Wed Nov 25 17:11:44 UTC 2026');
  assert.ok(!d.calls.some((c) => c[3] === 'switchover'));
  assert.ok(lines.some((l) => l.includes('SwitchoverTimeline does not match current timeline, assuming already completed switchover')));
});

test('patronictl without "switched over" on stdout is "unable to switchover"', async () => {
  const kube = stuck();
  kube.cluster().status.patroni.switchoverTimeline = 4;
  const e = await reconcileError(deps(kube, { timeline: 4, leader: 'p', switchover: () => ({ stdout: 'Switchover failed', stderr: '' }) }));
  assert.is(e.message, 'unable to switchover');
});

test("PGO's other switchover errors, word for word", async () => {
  const cases: Array<[(c: Obj, k: FakeKube) => void, string]> = [
    [(c) => (c.spec.patroni.switchover = { enabled: true, type: 'Failover' }), 'TargetInstance required when running failover'],
    [(c) => (c.spec.patroni.switchover.targetInstance = 'hippo-instance9-zzzz'), 'TargetInstance was specified but not found in the cluster'],
    [(_c, k) => k.remove('Pod', 'hippo-instance1-hcjs-0'), 'TargetInstance should have one pod. Pods (0)'],
    [
      (_c, k) => {
        for (const p of ['hippo-instance1-hcjs-0', 'hippo-instance2-k5cc-0']) k.store.get(`${PLURAL.Pod}/${p}`).status.containerStatuses[0].state = { waiting: {} };
      },
      'Could not find a running pod when attempting switchover.',
    ],
  ];
  for (const [mutate, message] of cases) {
    const kube = stuck();
    mutate(kube.cluster(), kube);
    const e = await reconcileError(deps(kube, { timeline: 4, leader: 'p', switchover: failingSwitchover }));
    assert.is(e.message, message);
  }
});

test('spec.paused: condition Progressing=False reason Paused, nothing else reconciled', async () => {
  const kube = stuck();
  kube.remove('StatefulSet', 'hippo-instance2-k5cc');
  kube.cluster().spec.paused = true;
  await reconcile(deps(kube, { timeline: 4, leader: 'p', switchover: failingSwitchover }), 'db', 'hippo');
  const cond = kube.cluster().status.conditions.find((c: Obj) => c.type === 'Progressing');
  assert.equal([cond.status, cond.reason], ['False', 'Paused']);
  assert.equal(kube.applied('StatefulSet'), []);
});

test('spec.shutdown: replicas 0, the primary last', async () => {
  const kube = healthy();
  kube.cluster().spec.shutdown = true;
  await reconcile(deps(kube, { timeline: 3, leader: 'p', switchover: failingSwitchover }), 'db', 'hippo');
  const replicas = (n: string) => kube.store.get(`${PLURAL.StatefulSet}/${n}`).spec.replicas;
  assert.is(replicas('hippo-instance1-hcjs'), 0, 'the replica stops first');
  assert.is(replicas('hippo-instance2-k5cc'), 1, 'the primary keeps running while another pod does');
  assert.is(kube.cluster().status.startupInstance, 'hippo-instance2-k5cc');
  kube.remove('Pod', 'hippo-instance1-hcjs-0');
  await reconcile(deps(kube, { timeline: 3, leader: 'p', switchover: failingSwitchover }), 'db', 'hippo');
  assert.is(replicas('hippo-instance2-k5cc'), 0);
});

test('status from the recorded objects equals the recorded status (instances, systemIdentifier)', async () => {
  const kube = healthy();
  const want = structuredClone(kube.cluster().status);
  kube.cluster().status = {};
  // As in the recorded run: pgbackrest stanza-create fails (that pod had no /etc/pgbackrest/conf.d).
  const noStanza = (cmd: string[]): ExecResult => {
    if (cmd.some((a) => a.includes('stanza-create'))) throw new ExecError('command terminated with exit code 1', '', 'no config-hash');
    return { stdout: '', stderr: '' };
  };
  await reconcile(deps(kube, { timeline: 3, leader: 'p', switchover: failingSwitchover, other: noStanza }), 'db', 'hippo');
  const got = kube.cluster().status;
  assert.equal(got.instances, want.instances);
  assert.is(got.patroni.systemIdentifier, want.patroni.systemIdentifier);
  assert.is(got.observedGeneration, want.observedGeneration);
  assert.equal(got.pgbackrest.repoHost, want.pgbackrest.repoHost);
  assert.equal(got.pgbackrest.repos, want.pgbackrest.repos);
  const brief = (cs: Obj[]) => cs.map((c) => [c.type, c.status, c.reason, c.message, c.observedGeneration]).sort();
  assert.equal(brief(got.conditions).map((c) => c.slice(0, 4)), brief(want.conditions).map((c) => c.slice(0, 4)));
});

test.run();
