// PGO's own words about a cluster: Warning Events (on the cluster or any object of it), its
// False/Unknown conditions, and status.observedGeneration lagging the spec.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CATALOGUE, healthOf, runChecks } from '../../../lib/checks/index.ts';
import type { KObject, Snapshot } from '../../../lib/model/types.ts';
import { base, byCode, HIPPO, hippo, NOW, one, opts, remove } from '../../helpers/check-fixtures.ts';

const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString();

function pgoEvent(about: { kind: string; name: string; uid?: string }, reason: string, message: string, o: { minutesAgo?: number; count?: number; component?: string; type?: string } = {}): KObject {
  const last = at(o.minutesAgo ?? 1);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${about.name}.${reason.toLowerCase()}`, namespace: 'db', uid: `ev-${about.name}-${reason}`, creationTimestamp: at((o.minutesAgo ?? 1) + 5) },
    involvedObject: { apiVersion: 'v1', kind: about.kind, name: about.name, namespace: 'db', uid: about.uid },
    type: o.type ?? 'Warning',
    reason,
    message,
    count: o.count ?? 1,
    firstTimestamp: at((o.minutesAgo ?? 1) + 5),
    lastTimestamp: last,
    source: { component: o.component ?? 'postgrescluster-controller' },
    reportingComponent: o.component ?? 'postgrescluster-controller',
  };
}

function withEvent(e: KObject): Snapshot {
  const snap = base();
  snap.objects.events.push(e);
  return snap;
}

/** A spec write at `minutesAgo` recorded in managedFields (as the API server stamps it). */
function specWrittenAt(snap: Snapshot, minutesAgo: number) {
  (hippo(snap).metadata as { managedFields?: unknown }).managedFields = [
    { manager: 'kubectl-client-side-apply', operation: 'Update', time: at(minutesAgo), fieldsType: 'FieldsV1' },
    { manager: 'postgrescluster-controller', operation: 'Update', subresource: 'status', time: at(0.1), fieldsType: 'FieldsV1' },
  ];
}

// ---- Events -----------------------------------------------------------------------------------

test('a Warning event from PGO on a StatefulSet of the cluster: reason and message verbatim, count and times, the object', () => {
  const snap = withEvent(pgoEvent({ kind: 'StatefulSet', name: 'hippo-instance1-abcd' }, 'FailedToPatch', 'statefulsets.apps "hippo-instance1-abcd" is forbidden: x', { count: 4 }));
  const fs = runChecks(snap, opts);
  const f = one(fs, 'PgoWarningEvent');
  assert.is(f.severity, 'warning');
  assert.equal(f.cluster, HIPPO);
  assert.is(f.subject, 'StatefulSet/hippo-instance1-abcd');
  assert.match(f.message, 'FailedToPatch: statefulsets.apps "hippo-instance1-abcd" is forbidden: x');
  assert.match(f.message, '4 times between 16:24:00 UTC and 16:29:00 UTC');
  assert.equal(f.data?.count, 4);
  assert.is(f.data?.current, true);
  assert.match(f.remedy, 'kubectl describe statefulset hippo-instance1-abcd -n db');
  assert.is(healthOf(HIPPO, fs, snap), 'Degraded');
});

test('a Warning event on a deleted object is still filed under its cluster by name', () => {
  const fs = runChecks(withEvent(pgoEvent({ kind: 'PersistentVolumeClaim', name: 'hippo-instance1-zzzz-pgdata' }, 'PersistentVolumeError', 'disk full')), opts);
  assert.equal(one(fs, 'PgoWarningEvent').cluster, HIPPO);
});

test('an event on another cluster\'s object whose name starts with this cluster\'s is not filed under it', () => {
  const fs = runChecks(withEvent(pgoEvent({ kind: 'StatefulSet', name: 'hippo-two-instance1-abcd' }, 'FailedCreate', 'x')), opts);
  assert.equal(byCode(fs, 'PgoWarningEvent'), []);
  const repo = runChecks(withEvent(pgoEvent({ kind: 'StatefulSet', name: 'hippo-repo-host' }, 'FailedCreate', 'x')), opts);
  assert.equal(one(repo, 'PgoWarningEvent').cluster, HIPPO);
});

test('silent: Normal events, and Warning events another component wrote', () => {
  assert.equal(byCode(runChecks(withEvent(pgoEvent({ kind: 'PostgresCluster', name: 'hippo' }, 'RepoHostCreated', 'created', { type: 'Normal' })), opts), 'PgoWarningEvent'), []);
  const sched = pgoEvent({ kind: 'Pod', name: 'hippo-instance1-abcd-0' }, 'FailedScheduling', '0/3 nodes', { component: 'default-scheduler' });
  sched.source = {};
  assert.equal(byCode(runChecks(withEvent(sched), opts), 'PgoWarningEvent'), []);
});

test('an event older than the latest spec change is info (history) and does not keep the cluster from Healthy', () => {
  const snap = withEvent(pgoEvent({ kind: 'PostgresCluster', name: 'hippo' }, 'pgAuditDisabled', 'Unable to install pgAudit', { minutesAgo: 10 }));
  specWrittenAt(snap, 3);
  const fs = runChecks(snap, opts);
  const f = one(fs, 'PgoWarningEvent');
  assert.is(f.severity, 'info');
  assert.is(f.data?.current, false);
  assert.match(f.detail, 'older than the latest change to the spec (16:27:00 UTC)');
  assert.is(healthOf(HIPPO, fs, snap), 'Healthy');
});

test('MissingRequiredImage stops PGO: PgoReconcileStopped, blocking, remedy naming the cluster and the operator Deployment', () => {
  const snap = withEvent(pgoEvent({ kind: 'PostgresCluster', name: 'hippo' }, 'MissingRequiredImage', 'Missing image(s): [crunchy-postgres PostgreSQL v16]', { count: 9 }));
  remove(snap, 'statefulSets', 'hippo-instance1-wxyz');
  const fs = runChecks(snap, opts);
  const f = one(fs, 'PgoReconcileStopped');
  assert.is(f.severity, 'error');
  assert.is(f.blocking, true);
  assert.match(f.message, 'MissingRequiredImage: Missing image(s): [crunchy-postgres PostgreSQL v16]');
  assert.match(f.remedy, 'kubectl edit postgrescluster hippo -n db');
  assert.match(f.remedy, 'kubectl set env deployment/pgo -n postgres-operator --list');
  assert.is(one(fs, 'InstanceMissing').blockedBy, 'PgoReconcileStopped');
  assert.is(healthOf(HIPPO, fs, snap), 'Blocked');
});

test('MissingRequiredImage on a shut-down cluster: PGO goes on, so only a warning', () => {
  const snap = withEvent(pgoEvent({ kind: 'PostgresCluster', name: 'hippo' }, 'MissingRequiredImage', 'Missing image(s): [crunchy-pgbackrest]'));
  hippo(snap).spec.shutdown = true;
  const fs = runChecks(snap, opts);
  assert.equal(byCode(fs, 'PgoReconcileStopped'), []);
  one(fs, 'PgoWarningEvent');
});

test('InvalidDataSource stops a cluster not yet bootstrapped', () => {
  const snap = withEvent(pgoEvent({ kind: 'PostgresCluster', name: 'hippo' }, 'InvalidDataSource', 'Option \'--pg1-path\' is not allowed'));
  delete hippo(snap).status.patroni;
  assert.match(one(runChecks(snap, opts), 'PgoReconcileStopped').remedy, "kubectl get postgrescluster hippo -n db -o jsonpath='{.spec.dataSource}'");
});

test('InvalidStandbyConfiguration: the spec check says it; the event does not say it twice', () => {
  const snap = withEvent(pgoEvent({ kind: 'PostgresCluster', name: 'hippo' }, 'InvalidStandbyConfiguration', 'spec.standby: Invalid value: "hippo": Standby requires a host or repoName to be enabled'));
  hippo(snap).spec.standby = { enabled: true };
  const fs = runChecks(snap, opts);
  one(fs, 'InvalidStandbyConfiguration');
  assert.equal(byCode(fs, 'PgoReconcileStopped'), []);
  assert.equal(byCode(fs, 'PgoWarningEvent'), []);
});

// ---- Conditions ----------------------------------------------------------------------------

function withCondition(c: Record<string, unknown>): Snapshot {
  const snap = base();
  hippo(snap).status.conditions = [...(hippo(snap).status.conditions ?? []).filter((x: { type: string }) => x.type !== c.type), c];
  return snap;
}

test('a False condition of a known type: type, reason and message verbatim, specific remedy', () => {
  const snap = withCondition({ type: 'PersistentVolumeResizing', status: 'False', reason: 'VolumeResizeFailed', message: 'resize of hippo-instance1-abcd-pgdata failed', lastTransitionTime: at(30) });
  const fs = runChecks(snap, opts);
  const f = one(fs, 'ConditionNotTrue');
  assert.is(f.severity, 'warning');
  assert.match(f.message, 'PGO condition PersistentVolumeResizing=False, reason VolumeResizeFailed: "resize of hippo-instance1-abcd-pgdata failed" since 16:00:00 UTC (30m)');
  assert.match(f.remedy, 'kubectl get pvc -n db -l postgres-operator.crunchydata.com/cluster=hippo');
  assert.is(healthOf(HIPPO, fs, snap), 'Degraded');
});

test('an unknown condition type is reported too', () => {
  const f = one(runChecks(withCondition({ type: 'SomethingNew', status: 'Unknown', reason: 'Odd', message: 'who knows', lastTransitionTime: at(60) }), opts), 'ConditionNotTrue');
  assert.is(f.severity, 'warning');
  assert.equal(f.data?.known, false);
  assert.match(f.detail, 'no specific explanation');
});

test('a condition that just turned False is info: PGO may be converging', () => {
  const f = one(runChecks(withCondition({ type: 'ProxyAvailable', status: 'False', reason: 'Starting', message: 'x', lastTransitionTime: at(1) }), opts), 'ConditionNotTrue');
  assert.is(f.severity, 'info');
  assert.match(f.detail, 'may still be converging');
});

test('silent: True conditions; Progressing=False/Paused (ReconcilePaused says it); ProxyAvailable while PgBouncerUnavailable says it', () => {
  assert.equal(byCode(runChecks(withCondition({ type: 'ProxyAvailable', status: 'True', reason: 'Ready', lastTransitionTime: at(60) }), opts), 'ConditionNotTrue'), []);
  const paused = withCondition({ type: 'Progressing', status: 'False', reason: 'Paused', message: 'No spec changes will be applied', lastTransitionTime: at(60) });
  hippo(paused).spec.paused = true;
  assert.equal(byCode(runChecks(paused, opts), 'ConditionNotTrue'), []);
  const proxy = withCondition({ type: 'ProxyAvailable', status: 'False', reason: 'NoReplicas', lastTransitionTime: at(60) });
  remove(proxy, 'deployments', 'hippo-pgbouncer');
  const fs = runChecks(proxy, opts);
  one(fs, 'PgBouncerUnavailable');
  assert.equal(byCode(fs, 'ConditionNotTrue'), []);
});

test('stanza not created yet: info, the cluster stays Healthy', () => {
  const snap = withCondition({ type: 'PGBackRestReplicaRepoReady', status: 'False', reason: 'StanzaNotCreated', message: 'pgBackRest replica create repo is not ready for backups', lastTransitionTime: at(60) });
  const fs = runChecks(snap, opts);
  assert.is(one(fs, 'ConditionNotTrue').severity, 'info');
  assert.is(healthOf(HIPPO, fs, snap), 'Healthy');
});

// ---- SpecNotObserved ------------------------------------------------------------------------

function lagging(minutesAgo: number): Snapshot {
  const snap = base();
  hippo(snap).metadata.generation = 3;
  hippo(snap).status.observedGeneration = 2;
  specWrittenAt(snap, minutesAgo);
  return snap;
}

test('SpecNotObserved after the grace: generation, observedGeneration, since when (managedFields)', () => {
  const snap = lagging(5);
  const fs = runChecks(snap, opts);
  const f = one(fs, 'SpecNotObserved');
  assert.is(f.severity, 'error');
  assert.match(f.message, 'PGO has not acted on generation 3 of the spec for 5m: status.observedGeneration is 2 (the latest write to its spec was at 16:25:00 UTC)');
  assert.equal(f.data?.sinceSource, 'managedFields');
  assert.match(f.remedy, 'kubectl pgo status hippo -n db --explain');
  assert.is(healthOf(HIPPO, fs, snap), 'Degraded');
});

test('SpecNotObserved: silent within the grace, and the grace is configurable', () => {
  assert.equal(byCode(runChecks(lagging(1), opts), 'SpecNotObserved'), []);
  one(runChecks(lagging(1), { ...opts, specGraceMs: 30_000 }), 'SpecNotObserved');
  assert.equal(byCode(runChecks(lagging(30), { ...opts, specGraceMs: 3600_000 }), 'SpecNotObserved'), []);
});

test('SpecNotObserved: silent when observed, and when the change cannot be dated (no managedFields)', () => {
  assert.equal(byCode(runChecks(base(), opts), 'SpecNotObserved'), []);
  const snap = lagging(30);
  delete (hippo(snap).metadata as { managedFields?: unknown }).managedFields;
  assert.equal(byCode(runChecks(snap, opts), 'SpecNotObserved'), []);
});

test('SpecNotObserved: a cluster PGO never observed is dated from its creation', () => {
  const snap = base();
  delete hippo(snap).status.observedGeneration;
  const f = one(runChecks(snap, opts), 'SpecNotObserved');
  assert.match(f.message, 'status.observedGeneration is not set (its creation was at 16:10:00 UTC)');
});

test('SpecNotObserved while paused names ReconcilePaused', () => {
  const snap = lagging(10);
  hippo(snap).spec.paused = true;
  assert.is(one(runChecks(snap, opts), 'SpecNotObserved').blockedBy, 'ReconcilePaused');
});

test('every new code is in the catalogue with the severity it is emitted with', () => {
  const seen = [
    ...runChecks(withEvent(pgoEvent({ kind: 'PostgresCluster', name: 'hippo' }, 'MissingRequiredImage', 'x')), opts),
    ...runChecks(withEvent(pgoEvent({ kind: 'Pod', name: 'hippo-instance1-abcd-0' }, 'Odd', 'x')), opts),
    ...runChecks(withCondition({ type: 'X', status: 'False', lastTransitionTime: at(60) }), opts),
    ...runChecks(lagging(10), opts),
  ];
  for (const code of ['PgoReconcileStopped', 'PgoWarningEvent', 'ConditionNotTrue', 'SpecNotObserved']) {
    const f = seen.find((x) => x.code === code);
    assert.ok(f, code);
    assert.is(f!.severity, CATALOGUE[code].severity, code);
    assert.is(Boolean(f!.blocking), CATALOGUE[code].blocking, code);
  }
});

test.run();
