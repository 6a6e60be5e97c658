// Least privilege, proven on the real kube-apiserver: for each verb, a ServiceAccount bound to
// exactly what `kubectl pgo rbac` prints (applied with real kubectl) runs the verb through real
// kubectl without one forbidden request; then, one permission at a time taken away (the rule
// edited and applied again, and `kubectl auth can-i` waited for), the verb does what
// lib/rbac/requirements.ts says: a required one -> its failure exit code and one line naming the
// permission, nothing written; an optional one -> the usual exit codes and, unless the data says
// it is silent, a line naming the permission. heal and switchover also make their real
// conditional write with the generated role, and are refused (nothing written) without patch.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dump, loadAll } from 'js-yaml';
import { makeWorld, type World } from '../../helpers/e2e-api.ts';
import { clusterPath, type ClusterObjects } from '../../helpers/pgo-cluster.ts';
import { serviceAccountUser } from '../../helpers/rbac.ts';
import { kubeEnv, kubectlPath } from '../../helpers/kubectl.ts';
import { apiOk, describeRun, kubectl, kubectlOk, kubectlPgo, uniqueName, waitFor, type RunResult } from '../../helpers/sandbox.ts';
import { permissionsOf, qualified, rbacOf, type Requirement, type When } from '../../../lib/rbac/requirements.ts';
import { LABEL } from '../../../lib/model/types.ts';
import { assertNoPluginWrite, pluginWrites } from '../../helpers/plugin-writes.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;

const VERBS = ['status', 'diff', 'heal', 'switchover', 'dump', 'version'] as const;
type V = (typeof VERBS)[number];
/** Exit codes of a run that did its job (degraded or not). */
const OK: Record<V, number[]> = { status: [0, 2], diff: [0, 1], heal: [0, 2], switchover: [0], dump: [0], version: [0] };
/** Conditions the stand-in world does not make (CLUSTER is always found; a Deployment carries the
 *  label), or only in a test of its own at the end (custom-install: the operator's Deployment
 *  unlabelled, which every verb would see). */
const NOT_EXERCISED: When[] = ['custom-install', 'not-found', 'no-operator-deployment'];
/** How long `status --watch` runs before Ctrl-C (SIGINT), which ends it with the last report's code. */
const WATCH_MS = 6000;

interface Setup {
  verb: V;
  ns: string;
  cluster: ClusterObjects;
  user: Awaited<ReturnType<typeof serviceAccountUser>>;
  /** The generated objects (Roles, ClusterRoles, bindings), as applied. */
  objects: Obj[];
}

let world: World;
const setups = new Map<V, Setup>();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kpgo-e2e-rbac-'));
const matrix: string[] = [];
const proofs = new Map<V, Promise<void>>();

async function apply(objects: Obj[]): Promise<void> {
  await kubectlOk(['apply', '-f', '-'], { input: objects.map((o) => `---\n${dump(o)}`).join('') });
}

/** `kubectl auth can-i` as the user for one permission of the data, where it applies. */
function canIArgs(p: { scope: string; verb: string; group: string; resource: string; resourceNames?: string[] }, s: Setup): string[] {
  const [res, sub] = p.resource.split('/');
  const what = `${qualified(p.group, res)}${p.resourceNames ? `/${p.resourceNames[0]}` : ''}`;
  const where = p.scope === 'cluster' ? ['--all-namespaces'] : ['-n', p.scope === 'operator' ? world.operatorNamespace : s.ns];
  return ['auth', 'can-i', p.verb, what, ...(sub ? [`--subresource=${sub}`] : []), ...where];
}

async function waitCan(s: Setup, p: Parameters<typeof canIArgs>[0], want: boolean): Promise<void> {
  await waitFor(`can-i ${p.verb} ${p.resource} ${p.scope} = ${want}`, async () => (await kubectl(canIArgs(p, s), { kubeconfig: s.user.kubeconfig })).code === (want ? 0 : 1), { timeoutMs: 15_000, intervalMs: 100 });
}

/** The generated objects with one permission (verb on group/resource) taken out of every rule. */
function without(objects: Obj[], p: { group: string; resource: string; verb: string }): Obj[] {
  return objects
    .filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')
    .map((o) => {
      const copy = structuredClone(o);
      copy.rules = (copy.rules ?? [])
        .map((r: Obj) => (r.apiGroups.includes(p.group) && r.resources.includes(p.resource) ? { ...r, verbs: r.verbs.filter((v: string) => v !== p.verb) } : r))
        .filter((r: Obj) => r.verbs.length > 0);
      return copy;
    });
}

function invocation(s: Setup, when: When | undefined, extra: string[] = []): string[] {
  const { verb, ns } = s;
  const file = path.join(tmp, `${uniqueName(verb)}`);
  switch (verb) {
    case 'status':
      return when === 'no-cluster-named' ? ['status', '-n', ns] : ['status', 'hippo', '-n', ns, ...(when === 'watch' ? ['--watch'] : [])];
    case 'diff': {
      if (when === 'manifest' || when === 'manifest-new') return ['diff', '-f', manifestFile(s, when === 'manifest-new')];
      return when === 'no-cluster-named' ? ['diff', '-n', ns] : ['diff', 'hippo', '-n', ns];
    }
    case 'heal':
      return [...(when === 'no-cluster-named' ? ['heal', '-n', ns] : ['heal', 'hippo', '-n', ns]), '--yes', '--dry-run=server', '--backup-dir', file, ...extra];
    case 'switchover':
      return ['switchover', 'hippo', '-n', ns, '--yes', '--dry-run=server', '--backup-dir', file, ...extra];
    case 'dump':
      return [...(when === 'no-cluster-named' ? ['dump', '-n', ns] : ['dump', 'hippo', '-n', ns]), '-f', `${file}.tar.gz`];
    case 'version':
      return ['version'];
  }
}

const manifests = new Map<string, string>();
function manifestFile(s: Setup, fresh: boolean): string {
  const key = `${s.ns}-${fresh}`;
  const have = manifests.get(key);
  if (have) return have;
  const pg = structuredClone(s.cluster.objects.find((o) => o.kind === 'PostgresCluster')!);
  const m: Obj = { apiVersion: pg.apiVersion, kind: 'PostgresCluster', metadata: { name: fresh ? 'hippo-new' : 'hippo', namespace: s.ns }, spec: pg.spec };
  m.spec.instances[0].replicas = 3;
  const file = path.join(tmp, `${key}.yaml`);
  writeFileSync(file, dump(m));
  manifests.set(key, file);
  return file;
}

/** The plugin through real kubectl as the user; a --watch is ended by SIGINT after WATCH_MS (kubectl execs the plugin, so the signal reaches it). */
function runAs(s: Setup, args: string[]): Promise<RunResult> {
  if (!args.includes('--watch')) return kubectlPgo(args, { kubeconfig: s.user.kubeconfig });
  return new Promise((resolve, reject) => {
    const child = spawn(kubectlPath(), ['pgo', ...args], { env: kubeEnv(s.user.kubeconfig), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const stop = setTimeout(() => child.kill('SIGINT'), WATCH_MS);
    const kill = setTimeout(() => child.kill('SIGKILL'), WATCH_MS + 10_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(stop);
      clearTimeout(kill);
      resolve({ code: code ?? 124, stdout, stderr });
    });
  });
}

const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A line naming the permission: the server's `cannot VERB resource "RES"`, our `cannot VERB RES`
 *  or `ask for: VERB RES`. */
function namesPermission(out: string, verb: string, resource: string): boolean {
  const [res, sub] = resource.split('/');
  return (
    new RegExp(`cannot ${verb} ${esc(resource)}\\b`).test(out) ||
    new RegExp(`ask for: ${verb} ${esc(res)}`).test(out) ||
    new RegExp(`cannot ${verb} resource "${esc(res)}"${sub ? `.*subresource "${sub}"` : ''}`).test(out)
  );
}

test.before(async () => {
  world = await makeWorld('e2e-rbac');
  await Promise.all(
    VERBS.map(async (verb) => {
      const ns = await world.namespace(`e2e-rbac-${verb}`);
      const cluster = await world.cluster(ns, 'hippo', { incident: verb === 'heal' });
      const user = await serviceAccountUser(uniqueName(`rbac-${verb}`));
      // The YAML the built plugin prints, through real kubectl, applied with real kubectl.
      const gen = await kubectlPgo(['rbac', '--verbs', verb, '-n', ns, '--operator-namespace', world.operatorNamespace, '--name', uniqueName(`kpgo-e2e-${verb}`), '--serviceaccount', `${user.serviceAccount.namespace}:${user.serviceAccount.name}`]);
      assert.is(gen.code, 0, describeRun('kubectl pgo rbac', gen));
      const objects = (loadAll(gen.stdout) as Obj[]).filter(Boolean);
      await kubectlOk(['apply', '-f', '-'], { input: gen.stdout });
      const s: Setup = { verb, ns, cluster, user, objects };
      for (const p of permissionsOf(rbacOf(verb).requirements)) await waitCan(s, p, true);
      setups.set(verb, s);
    }),
  );
});

/** The verbs' matrices run at once (each has its own namespace, user and roles), started by the
 *  first test that needs one; each test waits for its own (a failure stays with its test). */
function proofOf(verb: V): Promise<void> {
  if (proofs.size === 0) {
    for (const v of VERBS) {
      const proof = prove(v);
      proof.catch(() => {});
      proofs.set(v, proof);
    }
  }
  return proofs.get(verb)!;
}

test.after(async () => {
  for (const s of setups.values()) {
    await kubectl(['delete', '--ignore-not-found', '-f', '-'], { input: s.objects.map((o) => `---\n${dump(o)}`).join('') });
    await s.user.cleanup();
  }
  await world?.cleanup();
  rmSync(tmp, { recursive: true, force: true });
  if (matrix.length) console.log(`\n${matrix.sort().join('\n')}\n`);
});

/** One verb's matrix: each (permission, condition) the data lists, taken away on its own (only
 *  under condition `only` when given). */
async function prove(verb: V, only?: When): Promise<void> {
  const s = setups.get(verb)!;
  const reqs = rbacOf(verb).requirements;
  // Each single permission (everywhere it is granted), under the condition that makes the request.
  const cases = new Map<string, { p: ReturnType<typeof permissionsOf>[number]; reqs: Requirement[] }>();
  for (const p of permissionsOf(reqs)) {
    if (only ? p.req.when !== only : p.req.when && NOT_EXERCISED.includes(p.req.when)) continue;
    const key = `${p.verb} ${p.group}/${p.resource} ${p.req.when ?? ''}`;
    const c = cases.get(key) ?? { p, reqs: [] };
    c.reqs.push(p.req);
    cases.set(key, c);
  }
  for (const { p, reqs: why } of cases.values()) {
    const required = why.some((r) => !r.optional) || permissionsOf(reqs).some((q) => q.verb === p.verb && q.group === p.group && q.resource === p.resource && !q.req.optional && (!q.req.when || q.req.when === p.req.when));
    const says = why.some((r) => r.says === 'warning' || r.says === 'note');
    const reduced = without(s.objects, p);
    await apply(reduced);
    for (const q of permissionsOf(reqs).filter((q) => q.verb === p.verb && q.group === p.group && q.resource === p.resource)) await waitCan(s, q, false);
    const args = invocation(s, p.req.when);
    const r: RunResult = await runAs(s, args);
    const what = `${verb} without ${p.verb} ${qualified(p.group, p.resource)} (${p.req.when ?? 'always'})`;
    const out = r.stdout + r.stderr;
    if (required) {
      assert.is(r.code, rbacOf(verb).failsWith, describeRun(`${what}: required`, r));
      assert.ok(namesPermission(out, p.verb, p.resource), describeRun(`${what}: names the permission`, r));
      assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
      matrix.push(`${what}: refused, exit ${r.code}: ${r.stderr.trim().split('\n').find((l) => namesPermission(l, p.verb, p.resource))?.slice(0, 140)}`);
    } else {
      assert.ok(OK[verb].includes(r.code), describeRun(`${what}: optional, the usual exit codes`, r));
      if (says) assert.ok(namesPermission(out, p.verb, p.resource), describeRun(`${what}: a line names the permission`, r));
      assert.not.match(r.stderr, /^error:/m, describeRun(`${what}: no error`, r));
      matrix.push(`${what}: degraded, exit ${r.code}${says ? `: ${out.split('\n').find((l) => namesPermission(l, p.verb, p.resource))?.trim().slice(0, 140)}` : ' (says nothing, as documented)'}`);
    }
    await apply(s.objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole'));
    for (const q of permissionsOf(reqs).filter((q) => q.verb === p.verb && q.group === p.group && q.resource === p.resource)) await waitCan(s, q, true);
  }
}

// (The apiserver's metrics do not count requests RBAC refuses - no code="403" series, no denied
// decision - so a refusal the plugin swallowed without a word would not be seen here; the ones it
// swallows are in the data: the CRD, the ConfigMaps.)
test('with exactly the generated roles every verb runs under every condition, and nothing is forbidden', async () => {
  for (const verb of VERBS) {
    const s = setups.get(verb)!;
    const whens = [...new Set(rbacOf(verb).requirements.map((r) => r.when))].filter((w) => !w || !NOT_EXERCISED.includes(w));
    for (const when of whens) {
      const r = await runAs(s, invocation(s, when));
      assert.ok(OK[verb].includes(r.code), describeRun(`${verb} (${when ?? 'always'}) with the generated role`, r));
      assert.not.match(r.stdout + r.stderr, /Forbidden|forbidden \(ask for|ask for:/, describeRun(`${verb} with the generated role asks for nothing more`, r));
    }
    matrix.push(`${verb} with the generated role: ${whens.length} conditions run, nothing forbidden`);
  }
});

for (const verb of VERBS) {
  test(`${verb}: each permission taken away degrades or refuses as the data says`, async () => {
    await proofOf(verb);
  });
}

/** heal's and switchover's real writes: refused without patch (nothing written, no backup), made with it. */
for (const verb of ['heal', 'switchover'] as const) {
  test(`${verb}: the real conditional write with the generated role; without patch refused, nothing written, no backup left`, async () => {
    const s = setups.get(verb)!;
    const patch = { scope: 'namespace', group: 'postgres-operator.crunchydata.com', resource: 'postgresclusters', verb: 'patch' };
    const before = await apiOk<Obj>('GET', clusterPath(s.cluster));
    const backups = path.join(tmp, `${verb}-real`);
    const args = [verb, 'hippo', '-n', s.ns, '--yes', '--wait=false', '--backup-dir', backups];
    await apply(without(s.objects, patch));
    await waitCan(s, patch, false);
    const refused = await kubectlPgo(args, { kubeconfig: s.user.kubeconfig });
    assert.is(refused.code, 1, describeRun(`${verb} without patch`, refused));
    assert.ok(namesPermission(refused.stderr, 'patch', 'postgresclusters'), describeRun(`${verb} without patch names it`, refused));
    assertNoPluginWrite(before, await apiOk<Obj>('GET', clusterPath(s.cluster)), `${verb}'s PostgresCluster after the refusal`);
    assert.ok(!existsSync(backups) || readdirSync(backups).length === 0, 'no backup left for a write that did not happen');

    await apply(s.objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole'));
    await waitCan(s, patch, true);
    const done = await kubectlPgo(args, { kubeconfig: s.user.kubeconfig });
    assert.is(done.code, 0, describeRun(`${verb} with the generated role, for real`, done));
    const after = await apiOk<Obj>('GET', clusterPath(s.cluster));
    assert.ok(pluginWrites(before, after).length > 0, 'the plugin wrote the PostgresCluster');
    assert.is(readdirSync(backups).length, 1, 'one backup, written first');
    matrix.push(`${verb} real write: without patch exit 1, no write of ours, no backup; with the role exit 0, one backup, written: ${pluginWrites(before, after).map((w) => w.split(':')[0]).join(', ')}`);
  });
}

test("an operator Deployment labelled only on its pod template: status finds it with get deployments in the operator's namespace, and without that names it", async () => {
  const s = setups.get('status')!;
  const dep = `/apis/apps/v1/namespaces/${world.operatorNamespace}/deployments/pgo`;
  const merge = { contentType: 'application/merge-patch+json' };
  await apiOk('PATCH', dep, { metadata: { labels: { [LABEL.controlPlane]: null } } }, merge);
  try {
    const r = await runAs(s, [...invocation(s, 'custom-install'), '-o', 'json']);
    assert.ok(OK.status.includes(r.code), describeRun('status with the generated role, custom install', r));
    const report = JSON.parse(r.stdout);
    assert.equal(report.gaps, [], 'nothing forbidden');
    assert.equal(report.operator.deployment?.name, 'pgo', 'the unlabelled Deployment found through its pods');
    await prove('status', 'custom-install');
    // Unknown, not missing: a Deployment that could not be read is no OperatorMissing.
    const s2 = setups.get('status')!;
    const opRole = without(s2.objects, { group: 'apps', resource: 'deployments', verb: 'get' });
    await apply(opRole);
    await waitCan(s2, { scope: 'operator', verb: 'get', group: 'apps', resource: 'deployments' }, false);
    const blind = await runAs(s2, [...invocation(s2, 'custom-install'), '-o', 'json']);
    const r2 = JSON.parse(blind.stdout);
    assert.is(r2.operator.known, false, describeRun('operator unknown without get deployments', blind));
    assert.not.ok(JSON.stringify(r2).includes('OperatorMissing'), 'no OperatorMissing for an unreadable Deployment');
    await apply(s2.objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole'));
  } finally {
    await apiOk('PATCH', dep, { metadata: { labels: { [LABEL.controlPlane]: 'postgres-operator' } } }, merge);
  }
});

test('-A: the ClusterRole kubectl pgo rbac --verbs status -A prints lets status -A read everything', async () => {
  const s = setups.get('status')!;
  const user = await serviceAccountUser(uniqueName('rbac-all'));
  const gen = await kubectlPgo(['rbac', '--verbs', 'status', '-A', '--operator-namespace', world.operatorNamespace, '--name', uniqueName('kpgo-e2e-all'), '--serviceaccount', `${user.serviceAccount.namespace}:${user.serviceAccount.name}`]);
  assert.is(gen.code, 0, describeRun('rbac -A', gen));
  try {
    await kubectlOk(['apply', '-f', '-'], { input: gen.stdout });
    await waitCan({ ...s, user }, { scope: 'cluster', verb: 'list', group: 'postgres-operator.crunchydata.com', resource: 'postgresclusters' }, true);
    await waitCan({ ...s, user }, { scope: 'operator', verb: 'get', group: '', resource: 'pods/log' }, true);
    const r = await kubectlPgo(['status', '-A', '-o', 'json'], { kubeconfig: user.kubeconfig });
    assert.ok(OK.status.includes(r.code), describeRun('status -A', r));
    const report = JSON.parse(r.stdout);
    assert.equal(report.gaps, [], 'nothing forbidden');
    assert.ok(report.clusters.some((c: Obj) => c.namespace === s.ns), 'the clusters of every namespace');
    assert.ok(report.clusters.length >= VERBS.length);
  } finally {
    await kubectl(['delete', '--ignore-not-found', '-f', '-'], { input: gen.stdout });
    await user.cleanup();
  }
});

test.run();
