// `kubectl pgo status` through real kubectl against a real apiserver: a healthy cluster and the
// seed incident (switchover pending to the primary, the replica's StatefulSet deleted, its PVC
// kept), by name, by namespace and across all namespaces, as a table and as JSON.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterIn, codesOf, errorsOf, makeWorld, reportOf, rowOf, type World } from '../../helpers/e2e-api.ts';
import type { ClusterObjects } from '../../helpers/pgo-cluster.ts';
import { describeRun, kubectlPgo, pgoCrds } from '../../helpers/sandbox.ts';

const version = pgoCrds();
const servedApiVersion = `postgres-operator.crunchydata.com/${version === 'v6.0.3' ? 'v1' : 'v1beta1'}`;
let world: World;
let healthyNs: string;
let incidentNs: string;
let healthy: ClusterObjects;
let incident: ClusterObjects;

test.before(async () => {
  world = await makeWorld('e2e-status');
  [healthyNs, incidentNs] = await Promise.all([world.namespace('e2e-status-ok'), world.namespace('e2e-status-bad')]);
  [healthy, incident] = await Promise.all([world.cluster(healthyNs, 'hippo'), world.cluster(incidentNs, 'hippo', { incident: true })]);
});

test.after(async () => {
  await world?.cleanup();
});

test('healthy: status NAME says Healthy, names the primary, exit 0', async () => {
  const r = await kubectlPgo(['status', 'hippo', '-n', healthyNs]);
  assert.is(r.code, 0, describeRun('status hippo', r));
  assert.match(r.stdout, /Health:\s+Healthy/);
  assert.match(r.stdout, new RegExp(`Primary:\\s+${healthy.primary.pod}`));
  assert.ok(r.stdout.includes(healthy.replica.pod), 'the replica pod is listed');
  assert.not.match(r.stdout, /ERROR/);
});

test('healthy: status -n NS lists it Healthy 2/2, exit 0', async () => {
  const r = await kubectlPgo(['status', '-n', healthyNs]);
  assert.is(r.code, 0, describeRun('status -n', r));
  const row = r.stdout.split('\n').map((l) => l.trim().split(/\s+/)).find((c) => c[0] === 'hippo');
  assert.ok(row, describeRun('no row for hippo', r));
  assert.is(row![1], 'Healthy');
  assert.is(row![2], '2/2');
  assert.is(row![3], healthy.primary.pod);
});

test('healthy: -o json is a StatusReport with the cluster Healthy and no error, exit 0', async () => {
  const r = await kubectlPgo(['status', 'hippo', '-n', healthyNs, '-o', 'json']);
  assert.is(r.code, 0, describeRun('status -o json', r));
  const report = reportOf(r);
  const c = clusterIn(report, healthyNs, 'hippo');
  assert.is(c.health, 'Healthy');
  assert.is(c.apiVersion, servedApiVersion);
  assert.equal(errorsOf(c), []);
  assert.is(report.summary.errors, 0);
  assert.is(c.primary, healthy.primary.pod);
  assert.is(c.leader, healthy.primary.pod);
  assert.equal(c.instances.map((i) => [i.name, i.role, i.ready]).sort(), [
    [healthy.primary.instance, 'primary', true],
    [healthy.replica.instance, 'replica', true],
  ].sort());
  assert.equal(report.gaps, []);
  assert.is(report.operator.known, true);
  // Ours, or another suite's stand-in when several run against the same apiserver.
  assert.ok(report.operator.deployment, 'the operator Deployment is found');
  assert.equal(report.operator.findings.filter((f) => f.severity === 'error'), []);
});

test('incident: status NAME reports SwitchoverBlocked and InstanceMissing, Blocked, exit 2', async () => {
  const r = await kubectlPgo(['status', 'hippo', '-n', incidentNs]);
  assert.is(r.code, 2, describeRun('status hippo (incident)', r));
  assert.match(r.stdout, /Health:\s+Blocked/);
  assert.match(r.stdout, /SwitchoverBlocked/);
  assert.match(r.stdout, /InstanceMissing/);
  // The missing instance and the volume PGO would reuse are named.
  assert.ok(r.stdout.includes(incident.replica.instance), 'names the missing instance');
  assert.ok(r.stdout.includes(`${incident.replica.instance}-pgdata`), 'names the kept pgdata PVC');
  // The remedy is a command a person can paste for this very cluster.
  assert.ok(r.stdout.includes(`kubectl patch postgrescluster hippo -n ${incidentNs}`), 'remedy names the cluster and namespace');
});

test('incident: status -n NS lists it Blocked 1/2 with SwitchoverBlocked first, exit 2', async () => {
  const r = await kubectlPgo(['status', '-n', incidentNs]);
  assert.is(r.code, 2, describeRun('status -n (incident)', r));
  const line = r.stdout.split('\n').find((l) => l.startsWith('hippo '));
  assert.ok(line, describeRun('no row for hippo', r));
  const cols = line!.trim().split(/\s+/);
  assert.is(cols[1], 'Blocked');
  assert.is(cols[2], '1/2');
  assert.match(line!, /SwitchoverBlocked/);
});

test('incident: -o json has both error findings, InstanceMissing blocked by SwitchoverBlocked, exit 2', async () => {
  const r = await kubectlPgo(['status', 'hippo', '-n', incidentNs, '-o', 'json']);
  assert.is(r.code, 2, describeRun('status -o json (incident)', r));
  const c = clusterIn(reportOf(r), incidentNs, 'hippo');
  assert.is(c.health, 'Blocked');
  assert.ok(codesOf(c).includes('SwitchoverBlocked'), codesOf(c).join(','));
  assert.ok(codesOf(c).includes('InstanceMissing'), codesOf(c).join(','));
  const missing = c.findings.find((f) => f.code === 'InstanceMissing')!;
  assert.is(missing.severity, 'error');
  assert.is(missing.blockedBy, 'SwitchoverBlocked');
  assert.is(c.findings.find((f) => f.code === 'SwitchoverBlocked')!.severity, 'error');
  assert.is(c.switchover.state, 'Blocked');
  assert.is(c.replicas.desired, 2);
  assert.is(c.replicas.observed, 1);
  const set = c.sets.find((s) => s.orphanedPvcs.length > 0);
  assert.equal(set?.orphanedPvcs, [`${incident.replica.instance}-pgdata`]);
});

test('-A: both clusters in one table with their own health, exit 2 (an error anywhere)', async () => {
  const r = await kubectlPgo(['status', '-A']);
  assert.is(r.code, 2, describeRun('status -A', r));
  assert.is(rowOf(r.stdout, healthyNs, 'hippo')?.[2], 'Healthy', describeRun('healthy row', r));
  assert.is(rowOf(r.stdout, incidentNs, 'hippo')?.[2], 'Blocked', describeRun('incident row', r));
});

test('-A -o json: the same verdicts, and -o yaml agrees', async () => {
  const r = await kubectlPgo(['status', '-A', '-o', 'json']);
  assert.is(r.code, 2, describeRun('status -A -o json', r));
  const report = reportOf(r);
  assert.is(report.scope.allNamespaces, true);
  const ok = clusterIn(report, healthyNs, 'hippo');
  const bad = clusterIn(report, incidentNs, 'hippo');
  assert.is(ok.health, 'Healthy');
  assert.equal(errorsOf(ok), []);
  assert.is(bad.health, 'Blocked');
  assert.ok(codesOf(bad).includes('SwitchoverBlocked') && codesOf(bad).includes('InstanceMissing'), codesOf(bad).join(','));
  assert.ok(report.summary.errors >= 2);

  const y = await kubectlPgo(['status', '-A', '-o', 'yaml']);
  assert.is(y.code, 2, describeRun('status -A -o yaml', y));
  assert.match(y.stdout, /kind: StatusReport/);
  assert.match(y.stdout, new RegExp(`namespace: ${incidentNs}`));
});

test('an unknown cluster: one error line naming the clusters that exist there, exit 1', async () => {
  const r = await kubectlPgo(['status', 'hipo', '-n', incidentNs]);
  assert.is(r.code, 1, describeRun('status hipo', r));
  assert.is(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.is(lines.length, 1, r.stderr);
  assert.match(lines[0], /NotFound/);
  assert.match(lines[0], /hippo/);
});

test.run();
