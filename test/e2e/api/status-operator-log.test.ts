// PGO's own log through the real apiserver's pods/log (proxied to the test node's kubelet,
// test/helpers/fake-kubelet.ts): what is asked for, ReconcileFailing in PGO's words with a
// remedy naming the real operator pod, and without `get pods/log` one gap line, the rest
// reported, the exit code unchanged by the gap.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterIn, makeWorld, reportOf, type World } from '../../helpers/e2e-api.ts';
import { logRequests, setContainerLog } from '../../helpers/fake-kubelet.ts';
import { readRules, userWithRules, type TestUser } from '../../helpers/rbac.ts';
import { apiOk, describeRun, kubectlPgo } from '../../helpers/sandbox.ts';

let world: World;
let ns: string;
let pod: string;
let created: Date; // lines older than the cluster are about an earlier one of that name, and are left out
let noLog: TestUser; // every read of status, and not get pods/log
let withLog: TestUser; // the same, and get pods/log

const STEP = 'postgrescluster.(*Reconciler).reconcileSomethingNoCheckKnows';
const ERROR = 'the "thing" failed:\nline two';
const now = () => new Date();
const iso = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');
const pgoLine = (at: Date, level: string, msg: string, rest: string) => ({ at, text: `time="${iso(at)}" level=${level} msg=${JSON.stringify(msg)} ${rest}` });
const about = (_id: string) => `PostgresCluster=${ns}/hippo controller=postgrescluster controllerGroup=postgres-operator.crunchydata.com controllerKind=PostgresCluster`;
const failing = (at: Date, id: string) => [
  pgoLine(at, 'debug', 'reconciled cluster', `${about(id)} name=hippo namespace=${ns} reconcileID=${id} version=5.8.9`),
  pgoLine(at, 'error', 'Reconciler error', `${about(id)} error=${JSON.stringify(ERROR)} file="internal/controller/postgrescluster/controller.go:400" func="${STEP}" name=hippo namespace=${ns} reconcileID=${id} version=5.8.9`),
];

test.before(async () => {
  world = await makeWorld('e2e-oplog');
  ns = await world.namespace('e2e-oplog');
  await world.cluster(ns, 'hippo');
  created = new Date((await apiOk('GET', `/apis/postgres-operator.crunchydata.com/${world.clusters[0].apiVersion.split('/')[1]}/namespaces/${ns}/postgresclusters/hippo`)).metadata.creationTimestamp);
  const pods = await apiOk('GET', `/api/v1/namespaces/${world.operatorNamespace}/pods`);
  pod = pods.items[0].metadata.name;
  const podLog = { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] };
  [noLog, withLog] = await Promise.all([
    userWithRules('e2e-nolog', { clusterRules: readRules() }),
    userWithRules('e2e-withlog', { clusterRules: [...readRules(), podLog] }),
  ]);
});

test.after(async () => {
  await Promise.all([noLog?.cleanup(), withLog?.cleanup()]);
  await world?.cleanup();
});

test('one bounded pods/log GET of the operator container: the newest lines of the last 15 minutes, at most 4 MiB', async () => {
  setContainerLog(world.operatorNamespace, pod, 'operator', [pgoLine(now(), 'info', 'Starting workers', 'controller=postgrescluster version=5.8.9 worker count=2')]);
  const before = logRequests.length;
  const r = await kubectlPgo(['status', 'hippo', '-n', ns, '-o', 'json']);
  const report = reportOf(r);
  const mine = logRequests.slice(before).filter((q) => q.namespace === world.operatorNamespace);
  assert.is(mine.length, 1, JSON.stringify(logRequests.slice(before)));
  assert.equal(mine[0], { namespace: world.operatorNamespace, pod, container: 'operator', query: { limitBytes: '4194304', sinceSeconds: '900', tailLines: '4096' } });
  // (the container is in the kubelet's path: /containerLogs/NS/POD/CONTAINER)
  const source = report.operator.log!.sources.find((s) => s.pod === `${world.operatorNamespace}/${pod}`)!;
  assert.ok(source, JSON.stringify(report.operator.log));
  assert.equal({ lines: source.lines, truncated: source.truncated, reconcileErrors: source.reconcileErrors, container: source.container }, { lines: 1, truncated: false, reconcileErrors: 0, container: 'operator' });
  assert.is(clusterIn(report, ns, 'hippo').health, 'Healthy', describeRun('status', r));
  // --operator-log=off: no request at all; a duration: that many seconds.
  const n = logRequests.length;
  assert.is(reportOf(await kubectlPgo(['status', 'hippo', '-n', ns, '-o', 'json', '--operator-log=off'])).operator.log, null);
  assert.is(logRequests.length, n);
  await kubectlPgo(['status', 'hippo', '-n', ns, '-o', 'json', '--operator-log=1h']);
  assert.is(logRequests.at(-1)?.query.sinceSeconds, '3600');
});

test('an error no check knows: ReconcileFailing, Blocked, PGO\'s words, the real pod in the remedy', async () => {
  const t = now();
  const since = (ms: number) => new Date(Math.max(created.getTime(), t.getTime() - ms));
  setContainerLog(world.operatorNamespace, pod, 'operator', [...failing(since(60_000), 'a'), ...failing(since(30_000), 'b')]);
  const r = await kubectlPgo(['status', 'hippo', '-n', ns, '-o', 'json']);
  assert.is(r.code, 2, describeRun('status', r));
  const c = clusterIn(reportOf(r), ns, 'hippo');
  assert.is(c.health, 'Blocked');
  const f = c.findings.find((x) => x.code === 'ReconcileFailing')!;
  assert.ok(f, JSON.stringify(c.findings.map((x) => x.code)));
  assert.match(f.message, 'reconcileSomethingNoCheckKnows: "the "thing" failed: ..." (2 times since');
  assert.is(f.data?.error, ERROR);
  assert.match(f.remedy, `kubectl logs -n ${world.operatorNamespace} ${pod} -c operator --since=15m | grep 'PostgresCluster=${ns}/hippo '`);
  assert.not.match(f.remedy, /<[a-z-]+>/, 'no placeholder');
  const text = await kubectlPgo(['status', 'hippo', '-n', ns]);
  assert.match(text.stdout, new RegExp(`Operator log:\\s+${world.operatorNamespace}/${pod} \\(operator\\): 4 lines from `));
  assert.match(text.stdout, /ERROR\s+ReconcileFailing\s+PostgresCluster\/hippo\s+\(blocks PGO\)/);
});

test('without get pods/log: one gap line naming it, the rest reported, the exit code unchanged by the gap', async () => {
  setContainerLog(world.operatorNamespace, pod, 'operator', [pgoLine(now(), 'info', 'Starting workers', 'controller=postgrescluster version=5.8.9')]);
  const denied = await kubectlPgo(['status', 'hippo', '-n', ns], { kubeconfig: noLog.kubeconfig });
  const allowed = await kubectlPgo(['status', 'hippo', '-n', ns], { kubeconfig: withLog.kubeconfig });
  assert.is(denied.code, allowed.code, `${describeRun('without pods/log', denied)}\n${describeRun('with pods/log', allowed)}`);
  const warnings = denied.stderr.split('\n').filter((l) => l.includes('pods/log'));
  assert.equal(warnings, [`Warning: cannot get pods/log in namespace "${world.operatorNamespace}": forbidden (ask for: get pods/log)`], denied.stderr);
  assert.not.match(allowed.stderr, /pods\/log/);
  assert.match(denied.stdout, /Name:\s+hippo/);
  assert.match(denied.stdout, /Health:\s+Healthy/);
  assert.match(denied.stdout, `kubectl auth can-i get pods --subresource=log -n ${world.operatorNamespace}`);

  const json = reportOf(await kubectlPgo(['status', 'hippo', '-n', ns, '-o', 'json'], { kubeconfig: noLog.kubeconfig }));
  assert.is(json.operator.log, null);
  assert.equal(json.gaps.filter((g) => g.resource === 'pods/log').map((g) => ({ verb: g.verb, namespace: g.namespace, status: g.status, permission: g.permission })), [
    { verb: 'get', namespace: world.operatorNamespace, status: 403, permission: 'get pods/log' },
  ]);
  const withJson = reportOf(await kubectlPgo(['status', 'hippo', '-n', ns, '-o', 'json'], { kubeconfig: withLog.kubeconfig }));
  const codes = (r: typeof json) => clusterIn(r, ns, 'hippo').findings.map((f) => f.code).filter((c) => c !== 'PermissionDenied');
  assert.equal(codes(json), codes(withJson), 'the same findings but the gap');
});

test.run();
