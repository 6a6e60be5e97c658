import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildClusterViews } from '../../../lib/view/cluster-view.ts';
import { memberOf, parseLsn } from '../../../lib/view/patroni.ts';
import { LABEL, type KObject } from '../../../lib/model/types.ts';
import { base, hippo, obj } from '../../helpers/check-fixtures.ts';
import { fixture, recorded, snapshotFromObjects, snapshotFromYaml } from '../../helpers/snapshot-from-yaml.ts';

const names = (os: KObject[]) => os.map((o) => o.metadata.name);

test('recorded stuck switchover (real PGO): instances, roles, leader, switchover state', () => {
  const [v] = buildClusterViews(snapshotFromYaml(recorded('v5.8.9', 'switchover-stuck-target-is-primary.yaml')));
  assert.equal([v.namespace, v.name, v.apiVersion], ['db', 'hippo', 'postgres-operator.crunchydata.com/v1beta1']);
  assert.equal(v.sets.map((s) => [s.name, s.desiredReplicas, s.instances.map((i) => i.name)]), [
    ['instance1', 1, ['hippo-instance1-hcjs']],
    ['instance2', 1, ['hippo-instance2-k5cc']],
  ]);
  const [i1, i2] = v.instances;
  assert.equal([i1.role, i1.pod?.metadata.name, i1.pgdata?.metadata.name, i1.timeline, i1.memberState, i1.node, i1.ready], ['master', 'hippo-instance1-hcjs-0', 'hippo-instance1-hcjs-pgdata', 4, 'running', 'kwok-node-2', true]);
  assert.equal([i2.role, i2.lagBytes, i2.restarts], ['replica', 0, 0]);
  assert.is(i1.lagBytes, undefined, 'no lag for the leader');
  assert.is(v.leader, 'hippo-instance1-hcjs-0');
  assert.is(v.leaderOptime, 100663912);
  assert.equal(v.switchover, {
    enabled: true, type: 'Switchover', targetInstance: 'hippo-instance1-hcjs',
    trigger: 'Wed Nov 25 17:11:44 UTC 2026', completed: 'Wed Nov 25 17:11:18 UTC 2026', pending: true, timeline: 4,
  });
  assert.is(v.repoHost?.metadata.name, 'hippo-repo-host');
  assert.is(v.pgBouncer, undefined);
  assert.equal(names(v.services), ['hippo-ha', 'hippo-ha-config', 'hippo-pods', 'hippo-primary', 'hippo-replicas']);
  assert.equal(v.events.map((e) => e.reason), ['RepoHostCreated', 'pgAuditDisabled'], 'only events about the PostgresCluster');
  assert.equal([v.paused, v.shutdown, v.orphanedInstances.length], [false, false, 0]);
});

test('the incident: the deleted replica is remembered by its PVC', () => {
  const [v] = buildClusterViews(snapshotFromYaml(fixture('incident/incident.yaml')));
  const set2 = v.sets.find((s) => s.name === 'instance2')!;
  assert.equal(set2.instances, []);
  assert.equal(names(set2.orphanedPvcs), ['hippo-instance2-k5cc-pgdata']);
  assert.equal(v.instances.map((i) => i.name), ['hippo-instance1-hcjs']);
});

test('recorded v6.0.3 (API v1): same shapes', () => {
  const [v] = buildClusterViews(snapshotFromYaml(recorded('v6.0.3', 'healthy.yaml')));
  assert.match(v.apiVersion, /\/v1$/);
  assert.is(v.instances.filter((i) => i.role === 'master').length, 1);
  assert.is(v.leader, v.instances.find((i) => i.role === 'master')!.pod!.metadata.name);
});

test('objects are grouped by cluster label and namespace: same name in two namespaces stays apart', () => {
  const snap = base({ operator: false });
  const copy = (o: KObject) => { const c = structuredClone(o); c.metadata.namespace = 'staging'; return c; };
  const o = snap.objects;
  o.postgresClusters.push(copy(hippo(snap)));
  o.statefulSets.push(copy(obj(snap, 'statefulSets', 'hippo-instance1-abcd')));
  const views = buildClusterViews(snap);
  assert.equal(views.map((v) => `${v.namespace}/${v.name}`), ['db/hippo', 'staging/hippo']);
  assert.equal(views[0].instances.length, 2);
  assert.equal(views[1].instances.map((i) => i.name), ['hippo-instance1-abcd']);
  assert.is(views[1].instances[0].pod, undefined);
  assert.is(views[1].repoHost, undefined);
});

test('set names default to "00", "01" and replicas to 1', () => {
  const snap = base();
  hippo(snap).spec.instances = [{}, { replicas: 3 }];
  const v = buildClusterViews(snap)[0];
  assert.equal(v.sets.map((s) => [s.name, s.desiredReplicas]), [['00', 1], ['01', 3]]);
  // instance1's StatefulSets now belong to a set the spec no longer has
  assert.equal(v.orphanedInstances.map((i) => i.name), ['hippo-instance1-abcd', 'hippo-instance1-wxyz']);
});

test('role "primary" is normalised to master; a pod without a role label has none', () => {
  const snap = base();
  obj(snap, 'pods', 'hippo-instance1-abcd-0').metadata.labels![LABEL.role] = 'primary';
  delete obj(snap, 'pods', 'hippo-instance1-wxyz-0').metadata.labels![LABEL.role];
  const v = buildClusterViews(snap)[0];
  assert.equal(v.instances.map((i) => i.role), ['master', undefined]);
});

test('switchover views: disabled; completed; pending', () => {
  const snap = base();
  const pc = hippo(snap);
  assert.equal(buildClusterViews(snap)[0].switchover, { enabled: false, type: 'Switchover', targetInstance: undefined, trigger: undefined, completed: undefined, pending: false, timeline: undefined });
  pc.spec.patroni = { switchover: { enabled: true, type: 'Failover', targetInstance: 'hippo-instance1-wxyz' } };
  pc.metadata.annotations = { [LABEL.triggerSwitchover]: 'a' };
  pc.status.patroni.switchover = 'a';
  assert.is(buildClusterViews(snap)[0].switchover.pending, false);
  pc.metadata.annotations[LABEL.triggerSwitchover] = 'b';
  const sw = buildClusterViews(snap)[0].switchover;
  assert.equal([sw.pending, sw.type, sw.completed, sw.trigger], [true, 'Failover', 'a', 'b']);
});

test('Patroni member JSON and WAL positions', () => {
  assert.is(parseLsn(100663912), 100663912);
  assert.is(parseLsn('100663912'), 100663912);
  assert.is(parseLsn('1/6000000'), 2 ** 32 + 0x6000000);
  assert.is(parseLsn('nonsense'), undefined);
  const pod = (status: string) => ({ metadata: { name: 'p', annotations: { status } } }) as KObject;
  assert.equal(memberOf(pod('{"state":"running","role":"replica","xlog_location":5,"timeline":3,"replication_state":"streaming"}')),
    { role: 'replica', state: 'running', timeline: 3, xlogLocation: 5, replicationState: 'streaming', pendingRestart: undefined });
  assert.is(memberOf(pod('{"state":"running","role":"replica","receive_lsn":7,"replay_lsn":6}'))?.xlogLocation, 7);
  assert.is(memberOf(pod('not json')), undefined);
  assert.is(memberOf({ metadata: { name: 'p' } }), undefined);
});

test('pods without a StatefulSet are instances PGO still observes', () => {
  const snap = base();
  snap.objects.statefulSets = snap.objects.statefulSets.filter((s) => s.metadata.name !== 'hippo-instance1-wxyz');
  const v = buildClusterViews(snap)[0];
  assert.equal(v.instances.map((i) => [i.name, !!i.statefulSet, !!i.pod]), [['hippo-instance1-abcd', true, true], ['hippo-instance1-wxyz', false, true]]);
  assert.equal(v.sets[0].instances.map((i) => i.name), ['hippo-instance1-abcd'], 'a set lists only instances with a StatefulSet');
  assert.equal(v.sets[0].orphanedPvcs, [], 'the PVC is still in use by the pod');
});

test('backup Jobs: only PGO\'s, oldest first; gaps of the namespace are attached', () => {
  const snap = base();
  const other = structuredClone(obj(snap, 'jobs', 'hippo-backup-m7tq'));
  other.metadata.name = 'hippo-something-else';
  other.metadata.labels = { [LABEL.cluster]: 'hippo' };
  snap.objects.jobs.push(other);
  snap.gaps.push({ resource: 'pods', verb: 'list', namespace: 'db', message: 'x' }, { resource: 'pods', verb: 'list', namespace: 'elsewhere', message: 'y' });
  const v = buildClusterViews(snap)[0];
  assert.equal(names(v.backupJobs), ['hippo-backup-m7tq']);
  assert.equal(v.gaps?.map((g) => g.namespace), ['db']);
});

test('an empty snapshot gives no views', () => {
  assert.equal(buildClusterViews(snapshotFromObjects([])), []);
});

test.run();
