// PGO's own words on a real apiserver (no controllers: the test writes Events and status as PGO
// would): a Warning Event from PGO on a StatefulSet of the cluster, a stopping event, a False
// condition, a spec PGO has not observed, and `status CLUSTER --explain` - all through the
// built plugin found by real kubectl.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterIn, makeWorld, reportOf, type World } from '../../helpers/e2e-api.ts';
import { clusterPath, type ClusterObjects } from '../../helpers/pgo-cluster.ts';
import { apiOk, describeRun, kubectlPgo } from '../../helpers/sandbox.ts';

let world: World;
let ns: string;
let stuckNs: string;
let hippo: ClusterObjects;
let stuck: ClusterObjects;

const nowIso = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** An Event as PGO's recorder (client-go, core/v1) writes it. */
async function pgoEvent(namespace: string, about: { apiVersion: string; kind: string; name: string }, reason: string, message: string, count = 1) {
  const t = nowIso();
  await apiOk('POST', `/api/v1/namespaces/${namespace}/events`, {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${about.name}.${Date.now().toString(16)}${Math.floor(Math.random() * 1e6).toString(16)}`, namespace },
    involvedObject: { ...about, namespace },
    type: 'Warning',
    reason,
    message,
    source: { component: 'postgrescluster-controller' },
    reportingComponent: 'postgrescluster-controller',
    reportingInstance: '',
    firstTimestamp: t,
    lastTimestamp: t,
    count,
  });
}

const sts = (c: ClusterObjects) => c.objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === c.replica.instance)!.metadata.name;

test.before(async () => {
  world = await makeWorld('e2e-signals');
  [ns, stuckNs] = await Promise.all([world.namespace('e2e-signals'), world.namespace('e2e-signals-stuck')]);
  [hippo, stuck] = await Promise.all([world.cluster(ns, 'hippo'), world.cluster(stuckNs, 'hippo')]);
});

test.after(async () => {
  await world?.cleanup();
});

test('no PGO signal: Healthy; a Warning event from PGO on a StatefulSet of the cluster: its words verbatim, Degraded', async () => {
  const before = reportOf(await kubectlPgo(['status', 'hippo', '-n', ns, '-o', 'json']));
  assert.is(clusterIn(before, ns, 'hippo').health, 'Healthy');

  const message = `statefulsets.apps "${sts(hippo)}" is forbidden: exceeded quota: compute, requested: limits.cpu=2, used: limits.cpu=8, limited: limits.cpu=8`;
  await pgoEvent(ns, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: sts(hippo) }, 'FailedCreate', message, 3);
  const r = await kubectlPgo(['status', 'hippo', '-n', ns, '-o', 'json']);
  const c = clusterIn(reportOf(r), ns, 'hippo');
  const f = c.findings.find((x) => x.code === 'PgoWarningEvent');
  assert.ok(f, describeRun('no PgoWarningEvent', r));
  assert.is(f!.subject, `StatefulSet/${sts(hippo)}`);
  assert.is(f!.data?.reason, 'FailedCreate');
  assert.is(f!.data?.message, message);
  assert.is(f!.data?.count, 3);
  assert.ok(f!.message.includes(`FailedCreate: ${message}`));
  assert.ok(f!.remedy.includes(`kubectl describe statefulset ${sts(hippo)} -n ${ns}`));
  assert.is(c.health, 'Degraded');
  assert.is(r.code, 0, 'a warning: exit 0');

  const text = await kubectlPgo(['status', 'hippo', '-n', ns]);
  assert.match(text.stdout, /WARNING PgoWarningEvent  StatefulSet\//);
  assert.ok(text.stdout.includes(message), describeRun('the message verbatim in the text view', text));
});

test('a False condition PGO set shows with its type, reason and message', async () => {
  const path = clusterPath(hippo);
  const current = await apiOk<{ status?: { conditions?: unknown[] } }>('GET', path);
  const long = new Date(Date.now() - 30 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const conditions = [...(current.status?.conditions ?? []), {
    type: 'ProxyAvailable', status: 'False', reason: 'NoAvailableReplicas', message: 'no pgBouncer replica is available', lastTransitionTime: long, observedGeneration: 1,
  }];
  await apiOk('PATCH', `${path}/status`, { status: { conditions } }, { contentType: 'application/merge-patch+json' });
  const r = await kubectlPgo(['status', 'hippo', '-n', ns, '-o', 'json']);
  const f = clusterIn(reportOf(r), ns, 'hippo').findings.find((x) => x.code === 'ConditionNotTrue' && x.data?.type === 'ProxyAvailable');
  assert.ok(f, describeRun('no ConditionNotTrue for ProxyAvailable', r));
  assert.is(f!.severity, 'warning');
  assert.ok(f!.message.startsWith('PGO condition ProxyAvailable=False, reason NoAvailableReplicas: "no pgBouncer replica is available"'), f!.message);
});

test('a stopping event (MissingRequiredImage) after a spec change makes the cluster Blocked, with a remedy naming it; exit 2', async () => {
  // PGO observed the spec as it is; then the spec changes, and PGO stops at its image check
  // (it returns before writing observedGeneration) with a Warning event.
  const path = clusterPath(stuck);
  const { metadata } = await apiOk<{ metadata: { generation: number } }>('GET', path);
  await apiOk('PATCH', `${path}/status`, { status: { observedGeneration: metadata.generation } }, { contentType: 'application/merge-patch+json' });
  await apiOk('PATCH', path, { spec: { port: 5433 } }, { contentType: 'application/merge-patch+json' });
  // Event times are stamped to the second, like managedFields: one second later is after the change.
  await new Promise((r) => setTimeout(r, 1100));
  await pgoEvent(stuckNs, { apiVersion: stuck.apiVersion, kind: 'PostgresCluster', name: 'hippo' }, 'MissingRequiredImage', 'Missing image(s): [crunchy-postgres PostgreSQL v16]', 7);
  const r = await kubectlPgo(['status', 'hippo', '-n', stuckNs, '-o', 'json']);
  assert.is(r.code, 2, describeRun('status (stopped)', r));
  const c = clusterIn(reportOf(r), stuckNs, 'hippo');
  assert.is(c.health, 'Blocked');
  const f = c.findings.find((x) => x.code === 'PgoReconcileStopped')!;
  assert.ok(f, describeRun('no PgoReconcileStopped', r));
  assert.is(f.blocking, true);
  assert.ok(f.message.includes('MissingRequiredImage: Missing image(s): [crunchy-postgres PostgreSQL v16]'));
  assert.ok(f.remedy.includes(`kubectl edit postgrescluster hippo -n ${stuckNs}`), f.remedy);
  // The operator Deployment found (ours, or another suite's stand-in on a shared apiserver), by name and namespace.
  assert.match(f.remedy, /kubectl set env deployment\/pgo -n [a-z0-9-]+ --list \| grep RELATED_IMAGE/);
  assert.not.ok(c.findings.some((x) => x.code === 'SpecNotObserved'), 'not within the default 2 minutes');
});

test('SpecNotObserved once the spec is ahead of observedGeneration for longer than the grace (--generation-grace)', async () => {
  // managedFields are stamped to the second: wait past a 1 s grace.
  await new Promise((r) => setTimeout(r, 1500));
  const r = await kubectlPgo(['status', 'hippo', '-n', stuckNs, '-o', 'json', '--generation-grace', '1s']);
  const f = clusterIn(reportOf(r), stuckNs, 'hippo').findings.find((x) => x.code === 'SpecNotObserved');
  assert.ok(f, describeRun('no SpecNotObserved', r));
  assert.is(f!.data?.sinceSource, 'managedFields');
  assert.is((f!.data?.generation as number) - (f!.data?.observedGeneration as number), 1);
  assert.is(f!.blockedBy, 'PgoReconcileStopped', 'the stopping event explains it');
});

test('--explain through the built binary via real kubectl: the early check failing, every step after it skipped; -o json the same', async () => {
  const r = await kubectlPgo(['status', 'hippo', '-n', stuckNs, '--explain', '--generation-grace', '1s']);
  assert.is(r.code, 2, describeRun('status --explain', r));
  assert.match(r.stdout, /^Reconcile pipeline: /m);
  assert.match(r.stdout, /Every reconcile stops at VerifyImageValues \(an early check\)/);
  assert.match(r.stdout, /^ {2}1 +VerifyImageValues +failing +"MissingRequiredImage: Missing image\(s\): \[crunchy-postgres PostgreSQL v16\]" \(PgoReconcileStopped\)$/m);
  assert.match(r.stdout, /^ {2}\d+ +reconcileInstanceSets +skipped /m);
  assert.match(r.stdout, /^ {2}\d+ +patchClusterStatus +skipped +leaves SpecNotObserved \(PostgresCluster\/hippo\) unresolved$/m);
  const j = reportOf(await kubectlPgo(['status', 'hippo', '-n', stuckNs, '--explain', '-o', 'json']));
  const e = clusterIn(j, stuckNs, 'hippo').explain!;
  assert.is(e.stoppedAt, 'VerifyImageValues');
  assert.ok(e.steps.filter((s) => s.index > 1).every((s) => s.state === 'skipped'));

  const usage = await kubectlPgo(['status', '-n', stuckNs, '--explain']);
  assert.is(usage.code, 1);
  assert.is(usage.stdout, '');
  assert.is(usage.stderr, 'error: --explain needs a CLUSTER: kubectl pgo status CLUSTER --explain\n');
});

test.run();
