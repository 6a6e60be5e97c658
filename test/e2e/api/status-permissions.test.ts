// A user who may read PostgresClusters but not pods still gets a report: what depends on pods is
// Unknown, the missing permission is named (verb, resource, scope), and the exit code follows
// the documented rule (2 only for error findings, else 0) - a forbidden list is not a crash.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterIn, makeWorld, reportOf, type World } from '../../helpers/e2e-api.ts';
import { readRules, userWithRules, type TestUser } from '../../helpers/rbac.ts';
import { describeRun, kubectlPgo } from '../../helpers/sandbox.ts';

let world: World;
let ns: string;
let clusterWide: TestUser; // every read permission but pods, in all namespaces
let nsOnly: TestUser; // the same but only in the cluster's namespace

const expectedExit = (errors: number) => (errors > 0 ? 2 : 0);

test.before(async () => {
  world = await makeWorld('e2e-perm');
  ns = await world.namespace('e2e-perm');
  await world.cluster(ns, 'hippo');
  [clusterWide, nsOnly] = await Promise.all([
    userWithRules('e2e-nopods', { clusterRules: readRules(['pods']) }),
    userWithRules('e2e-nopods-ns', { namespaceRules: { [ns]: readRules(['pods', 'namespaces']) } }),
  ]);
});

test.after(async () => {
  await Promise.all([clusterWide?.cleanup(), nsOnly?.cleanup()]);
  await world?.cleanup();
});

test('without list pods: the report still prints, pods-dependent parts Unknown, the permission named', async () => {
  const r = await kubectlPgo(['status', 'hippo', '-n', ns], { kubeconfig: clusterWide.kubeconfig });
  assert.ok(r.code === 0 || r.code === 2, describeRun('status hippo without pods', r));
  assert.match(r.stdout, /Name:\s+hippo/);
  assert.match(r.stdout, /Health:\s+Unknown/);
  // kubectl-style warning on stderr naming exactly what to ask for.
  assert.match(r.stderr, /list pods/);
  assert.match(r.stdout + r.stderr, new RegExp(`kubectl auth can-i list pods -n ${ns}`));
});

test('without list pods: -o json carries the gap and the exit code follows the error count', async () => {
  const r = await kubectlPgo(['status', 'hippo', '-n', ns, '-o', 'json'], { kubeconfig: clusterWide.kubeconfig });
  const report = reportOf(r);
  assert.is(r.code, expectedExit(report.summary.errors), describeRun('exit code vs summary.errors', r));
  const gap = report.gaps.find((g) => g.resource === 'pods');
  assert.ok(gap, JSON.stringify(report.gaps));
  assert.is(gap!.verb, 'list');
  assert.is(gap!.status, 403);
  const c = clusterIn(report, ns, 'hippo');
  assert.is(c.health, 'Unknown');
  assert.ok(c.unknown.includes('pods'), JSON.stringify(c.unknown));
  assert.is(c.replicas.ready, null, 'readiness is unknown, not zero');
  assert.is(c.replicas.desired, 2);
  // What could be read is still reported: the StatefulSets exist.
  assert.is(c.replicas.observed, 2);
});

test('-A without list pods anywhere: partial report, the cluster-wide permission named, no crash', async () => {
  const r = await kubectlPgo(['status', '-A', '-o', 'json'], { kubeconfig: clusterWide.kubeconfig });
  const report = reportOf(r);
  assert.is(r.code, expectedExit(report.summary.errors), describeRun('status -A without pods', r));
  assert.ok(report.gaps.some((g) => g.resource === 'pods' && g.verb === 'list' && g.namespace == null), JSON.stringify(report.gaps));
  assert.is(clusterIn(report, ns, 'hippo').health, 'Unknown');
});

test('rights in one namespace only: status -n NS works there; -A cannot list clusters and exits 1 with one line', async () => {
  const r = await kubectlPgo(['status', '-n', ns, '-o', 'json'], { kubeconfig: nsOnly.kubeconfig });
  const report = reportOf(r);
  assert.is(r.code, expectedExit(report.summary.errors), describeRun('status -n with namespace rights', r));
  assert.is(clusterIn(report, ns, 'hippo').health, 'Unknown');
  assert.ok(report.gaps.some((g) => g.resource === 'pods'), JSON.stringify(report.gaps));

  const all = await kubectlPgo(['status', '-A'], { kubeconfig: nsOnly.kubeconfig });
  assert.is(all.code, 1, describeRun('status -A with namespace rights', all));
  // One line, as kubectl words it: "Error from server (Forbidden): postgresclusters... is forbidden: ...".
  assert.is(all.stderr.trim().split('\n').length, 1, all.stderr);
  assert.match(all.stderr, /Forbidden.*postgresclusters/);
  assert.not.match(all.stderr, /\n\s+at /, 'no stack trace');
});

test.run();
