// status over several kubeconfig contexts, through real kubectl, on the sandbox's API server:
// an admin context (the incident), a namespace-scoped user (a healthy cluster), a user who may
// read nothing, and a server that cannot be reached. One table worst first, the unreadable ones a
// line each, the highest exit code, a FleetReport, metrics that promtool accepts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import type { FleetReport } from '../../../lib/fleet/report.ts';
import { makeWorld, type World } from '../../helpers/e2e-api.ts';
import { fleetKubeconfig } from '../../helpers/fleet.ts';
import { readRules, userWithRules, type TestUser } from '../../helpers/rbac.ts';
import { apiserverRequestCounters, describeRun, kubectlPgo, pluginLikeRequest, requestDelta } from '../../helpers/sandbox.ts';

let world: World;
let nsA: string;
let nsB: string;
let teamB: TestUser;
let nobody: TestUser;
let kubeconfig: string;

test.before(async () => {
  world = await makeWorld('e2e-fleet');
  [nsA, nsB] = await Promise.all([world.namespace('e2e-fleet-a'), world.namespace('e2e-fleet-b')]);
  await Promise.all([world.cluster(nsA, 'hippo', { incident: true }), world.cluster(nsB, 'zebra')]);
  [teamB, nobody] = await Promise.all([
    userWithRules('e2e-fleet-b', { namespaceRules: { [nsB]: readRules(['namespaces']) } }),
    userWithRules('e2e-fleet-none', {}),
  ]);
  kubeconfig = fleetKubeconfig([
    { name: 'admin', namespace: nsA },
    { name: 'team-b', from: teamB.kubeconfig, namespace: nsB },
    { name: 'nobody', from: nobody.kubeconfig, namespace: nsB },
    { name: 'gone', server: 'https://127.0.0.1:1' },
  ]);
});

test.after(async () => {
  await Promise.all([teamB?.cleanup(), nobody?.cleanup()]);
  await world?.cleanup();
});

test('--all-contexts: one table, worst first, each unreadable context a line with its reason; exit 2', async () => {
  const r = await kubectlPgo(['status', '--all-contexts'], { kubeconfig });
  assert.is(r.code, 2, describeRun('status --all-contexts', r));
  // The table ends at the first blank line (operator and general findings follow per context).
  const lines = r.stdout.split('\n\n')[0].split('\n');
  assert.match(lines[0], /^CONTEXT\s+NAMESPACE\s+NAME\s+HEALTH\s/);
  const rows = lines.slice(1).map((l) => l.split(/\s{2,}/));
  assert.equal(rows.map((c) => [c[0], c[3]]), [['nobody', 'Unreadable'], ['gone', 'Unreadable'], ['admin', 'Blocked'], ['team-b', 'Healthy']], r.stdout);
  assert.match(lines[1], /forbidden/i);
  assert.match(lines[2], /127\.0\.0\.1:1/);
  assert.equal(rows[2].slice(1, 3), [nsA, 'hippo']);
  assert.equal(rows[3].slice(1, 3), [nsB, 'zebra']);
});

test('--contexts a subset: the exit code is the highest of them (1: one unreadable, none with errors)', async () => {
  const r = await kubectlPgo(['status', '--contexts', 'team-b,gone'], { kubeconfig });
  assert.is(r.code, 1, describeRun('status --contexts team-b,gone', r));
  const ok = await kubectlPgo(['status', '--contexts', 'team-b'], { kubeconfig });
  assert.is(ok.code, 0, describeRun('status --contexts team-b', ok));
  assert.match(ok.stdout, new RegExp(`^team-b\\s+${nsB}\\s+zebra\\s+Healthy`, 'm'));
});

test('-o json: a FleetReport, one StatusReport per readable context', async () => {
  const r = await kubectlPgo(['status', '--all-contexts', '-o', 'json'], { kubeconfig });
  assert.is(r.code, 2, describeRun('status --all-contexts -o json', r));
  const fleet = JSON.parse(r.stdout) as FleetReport;
  assert.is(fleet.kind, 'FleetReport');
  assert.equal(fleet.contexts.map((c) => [c.context, c.state]), [['admin', 'Read'], ['team-b', 'Read'], ['nobody', 'Unreadable'], ['gone', 'Unreadable']]);
  const admin = fleet.contexts[0].report!;
  assert.is(admin.source.kind === 'api' && admin.source.context, 'admin');
  assert.equal(admin.clusters.map((c) => [c.namespace, c.name, c.health]), [[nsA, 'hippo', 'Blocked']]);
  assert.ok(admin.clusters[0].findings.some((f) => f.code === 'SwitchoverBlocked'));
  assert.is(fleet.summary.unreadable, 2);
});

test('-o prometheus over the fleet: promtool accepts it; health and context_up as read', async () => {
  const r = await kubectlPgo(['status', '--all-contexts', '-o', 'prometheus'], { kubeconfig });
  assert.is(r.code, 2, describeRun('status -o prometheus', r));
  const check = spawnSync('promtool', ['check', 'metrics'], { input: r.stdout, encoding: 'utf8' });
  assert.is(check.status, 0, `${check.stdout}${check.stderr}`);
  assert.match(r.stdout, new RegExp(`^kubectl_pgo_cluster_health\\{context="admin",namespace="${nsA}",name="hippo",health="Blocked"\\} 1$`, 'm'));
  assert.match(r.stdout, /^kubectl_pgo_context_up\{context="gone"\} 0$/m);
  assert.match(r.stdout, /^kubectl_pgo_context_up\{context="team-b"\} 1$/m);
});

test('requests stay constant per context: three contexts cost three times one', async () => {
  const same = fleetKubeconfig([{ name: 'a1' }, { name: 'a2' }, { name: 'a3' }]);
  // The smallest of three runs: a background request of the apiserver can land inside one.
  const requests = async (contexts: string) => {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const before = await apiserverRequestCounters();
      const r = await kubectlPgo(['status', '-A', '--contexts', contexts, '-o', 'json'], { kubeconfig: same });
      const after = await apiserverRequestCounters();
      assert.ok(r.code === 0 || r.code === 2, describeRun(`status --contexts ${contexts}`, r));
      best = Math.min(best, requestDelta(before, after, pluginLikeRequest).total);
    }
    return best;
  };
  const one = await requests('a1');
  const three = await requests('a1,a2,a3');
  assert.ok(one > 0);
  assert.is(three, 3 * one, `one context: ${one} requests, three: ${three}`);
});

test('a fleet flag mistake is one line, exit 1, nothing read', async () => {
  const r = await kubectlPgo(['status', '--all-contexts', '--context', 'admin'], { kubeconfig });
  assert.is(r.code, 1);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^error: --context cannot be used with --all-contexts/);
});

test.run();
