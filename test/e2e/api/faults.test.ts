// Faults injected between the plugin and the real kube-apiserver (scripts/sandbox/fault-proxy.ts):
// resets, 500/503, 429 with Retry-After, slow and cut-off answers, 403/404/422 on writes. Each verb
// either finishes correctly or stops with one line saying what it did and did not do, with its
// documented exit code; never a write that was not re-planned, never a write after a refusal;
// a backup is on disk before any write. The README's fault table is printed from these runs
// (KPGO_FAULT_TABLE=1).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startFaultProxy, type FaultProxy, type Rule } from '../../../scripts/sandbox/fault-proxy.ts';
import type { KObject } from '../../../lib/model/types.ts';
import { makeWorld, type World } from '../../helpers/e2e-api.ts';
import { clusterPath, type ClusterObjects } from '../../helpers/pgo-cluster.ts';
import { adminKubeconfigPath, apiOk, describeRun, kubectlPgo, repoRoot, sandboxDir, usingSandbox, type RunResult } from '../../helpers/sandbox.ts';

let world: World;
let ns: string;
let incident: ClusterObjects;
let proxy: FaultProxy;
const dir = mkdtempSync(path.join(os.tmpdir(), 'kpgo-faults-'));
const table: Array<[string, string, string]> = [];
/** PVC name and UID per namespace, as they were before any fault. */
const pvcs = new Map<string, string[]>();

test.before(async () => {
  world = await makeWorld('e2e-faults');
  ns = await world.namespace('e2e-faults');
  incident = await world.cluster(ns, 'hippo', { incident: true });
  proxy = await startFaultProxy(adminKubeconfigPath(), dir);
  const items = (await apiOk<{ items: KObject[] }>('GET', `/api/v1/namespaces/${ns}/persistentvolumeclaims`)).items;
  pvcs.set(ns, items.map((p) => `${p.metadata.name} ${p.metadata.uid}`).sort());
});

test.after(async () => {
  await proxy?.close();
  await world?.cleanup();
  if (process.env.KPGO_FAULT_TABLE) console.log(['| fault | verb | outcome |', '|---|---|---|', ...table.map((r) => `| ${r.join(' | ')} |`)].join('\n'));
});

const LIST = (resource: string) => new RegExp(`/${resource}\\?`);
const PGC_PATCH = /\/postgresclusters\/hippo(\?|$)/;

async function run(verb: string, args: string[], rules: Rule[]): Promise<RunResult> {
  proxy.setRules(rules);
  proxy.seen.length = 0;
  return kubectlPgo([verb, ...args], { kubeconfig: proxy.kubeconfig, timeoutMs: 90_000 });
}

/** The lines that end a verb, kubectl's way: `error: ...` or `Error from server (...): ...`. */
const oneLine = (r: RunResult) => r.stderr.trim().split('\n').filter((l) => /^(error: |Error from server )/.test(l));
const note = (fault: string, verb: string, r: RunResult, outcome: string) => table.push([fault, verb, `${outcome} (exit ${r.code})`]);
const live = () => apiOk<KObject>('GET', clusterPath(incident));

// ---- status ---------------------------------------------------------------------------------

test('status: 503 and 429 with Retry-After are waited out; the report is the one without faults', async () => {
  const clean = await run('status', ['-n', ns, '-o', 'json'], []);
  for (const [fault, rules] of [
    ['503 + Retry-After on LIST pods', [{ method: 'GET', path: LIST('pods'), fault: { kind: 'status', status: 503, retryAfter: '1' }, times: 2 }]],
    ['429 + Retry-After on LIST postgresclusters', [{ method: 'GET', path: LIST('postgresclusters'), fault: { kind: 'status', status: 429, retryAfter: '1' }, times: 1 }]],
  ] as Array<[string, Rule[]]>) {
    const r = await run('status', ['-n', ns, '-o', 'json'], rules);
    assert.is(r.code, clean.code, describeRun(fault, r));
    const a = JSON.parse(r.stdout);
    const b = JSON.parse(clean.stdout);
    assert.equal(a.clusters.map((c: { health: string }) => c.health), b.clusters.map((c: { health: string }) => c.health), fault);
    assert.equal(a.gaps, [], fault);
    assert.ok(proxy.seen.some((s) => s.outcome.startsWith('status')), `${fault}: the fault was injected`);
    note(fault, 'status', r, 'retried after Retry-After; same report');
  }
});

test('status: a failing list other than PostgresClusters is a gap (Unknown, one Warning line), never Healthy', async () => {
  for (const [fault, rule] of [
    ['500 on LIST pods', { method: 'GET', path: LIST('pods'), fault: { kind: 'status', status: 500 } }],
    ['connection reset on LIST pods', { method: 'GET', path: LIST('pods'), fault: { kind: 'reset' } }],
    ['answer cut off on LIST pods', { method: 'GET', path: LIST('pods'), fault: { kind: 'cut', afterBytes: 200 } }],
    ['answer slower than --request-timeout on LIST pods', { method: 'GET', path: LIST('pods'), fault: { kind: 'slow', ms: 4000 } }],
  ] as Array<[string, Rule]>) {
    const r = await run('status', ['-n', ns, '--request-timeout', '2s', '-o', 'json'], [rule]);
    assert.ok(r.code === 2 || r.code === 0, describeRun(fault, r));
    const rep = JSON.parse(r.stdout);
    assert.ok(rep.gaps.some((g: { resource: string }) => g.resource === 'pods'), describeRun(`${fault}: gap for pods`, r));
    assert.match(r.stderr, /Warning: cannot list pods/, fault);
    for (const c of rep.clusters) assert.is.not(c.health, 'Healthy', fault);
    note(fault, 'status', r, 'report made; pods Unknown, one Warning line naming the list');
  }
});

test('status: the PostgresCluster list failing is one error line, exit 1', async () => {
  for (const [fault, rule] of [
    ['500 on LIST postgresclusters', { method: 'GET', path: LIST('postgresclusters'), fault: { kind: 'status', status: 500 } }],
    ['connection reset on LIST postgresclusters', { method: 'GET', path: LIST('postgresclusters'), fault: { kind: 'reset' } }],
  ] as Array<[string, Rule]>) {
    const r = await run('status', ['-n', ns], [rule]);
    assert.is(r.code, 1, describeRun(fault, r));
    assert.is(oneLine(r).length, 1, describeRun(fault, r));
    assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
    note(fault, 'status', r, `stops: ${oneLine(r)[0].slice(0, 90)}`);
  }
});

// ---- diff -----------------------------------------------------------------------------------

test('diff: retried on 503 + Retry-After; the PostgresCluster list failing is one line, exit 2', async () => {
  const clean = await run('diff', ['-n', ns], []);
  const r = await run('diff', ['-n', ns], [{ method: 'GET', path: LIST('statefulsets'), fault: { kind: 'status', status: 503, retryAfter: '1' }, times: 1 }]);
  assert.is(r.code, clean.code, describeRun('diff 503', r));
  assert.is(r.stdout, clean.stdout);
  note('503 + Retry-After on LIST statefulsets', 'diff', r, 'retried; same diff');
  const bad = await run('diff', ['-n', ns], [{ method: 'GET', path: LIST('postgresclusters'), fault: { kind: 'reset' } }]);
  assert.is(bad.code, 2, describeRun('diff reset', bad));
  assert.is(oneLine(bad).length, 1, describeRun('diff reset', bad));
  note('connection reset on LIST postgresclusters', 'diff', bad, `stops: ${oneLine(bad)[0].slice(0, 90)}`);
});

// ---- heal: the write ------------------------------------------------------------------------

/** Puts the incident back (switchover enabled, the trigger set) after a write went through. */
async function rearm(before: KObject): Promise<void> {
  const trigger = before.metadata.annotations!['postgres-operator.crunchydata.com/trigger-switchover'];
  await apiOk('PATCH', clusterPath(incident), { metadata: { annotations: { 'postgres-operator.crunchydata.com/trigger-switchover': trigger } }, spec: { patroni: { switchover: { enabled: true } } } }, { contentType: 'application/merge-patch+json' });
}

function backupsIn(d: string): string[] {
  return existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.yaml')) : [];
}

for (const [fault, rule, expectWritten] of [
  ['403 on the PATCH', { method: 'PATCH', path: PGC_PATCH, fault: { kind: 'status', status: 403, message: 'postgresclusters.postgres-operator.crunchydata.com "hippo" is forbidden: injected' } }, false],
  ['404 on the PATCH', { method: 'PATCH', path: PGC_PATCH, fault: { kind: 'status', status: 404 } }, false],
  ['422 on the PATCH', { method: 'PATCH', path: PGC_PATCH, fault: { kind: 'status', status: 422, message: 'PostgresCluster.postgres-operator.crunchydata.com "hippo" is invalid: injected' } }, false],
  ['500 on the PATCH', { method: 'PATCH', path: PGC_PATCH, fault: { kind: 'status', status: 500 } }, false],
  ['connection reset on the PATCH', { method: 'PATCH', path: PGC_PATCH, fault: { kind: 'reset' } }, false],
  ['answer to the PATCH cut off (the write was applied)', { method: 'PATCH', path: PGC_PATCH, fault: { kind: 'cut', afterBytes: 100 } }, true],
] as Array<[string, Rule, boolean]>) {
  test(`heal: ${fault}: one line, exit 1, one write, the backup first`, async () => {
    const before = await live();
    const backups = path.join(dir, `heal-${table.length}`);
    const r = await run('heal', ['hippo', '-n', ns, '--yes', '--wait=false', '--backup-dir', backups], [rule]);
    const writes = proxy.writes();
    assert.is(writes.length, 1, `${fault}: exactly one write; seen ${writes.map((w) => `${w.method} ${w.url} ${w.outcome}`).join('; ')}\n${describeRun('heal', r)}`);
    assert.is(r.code, 1, describeRun(fault, r));
    assert.is(oneLine(r).length, 1, describeRun(fault, r));
    assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
    // Written before the PATCH; removed again only when the server answered that nothing was written.
    const refused = /refused the patch/.test(oneLine(r)[0] ?? '');
    assert.is(backupsIn(backups).length, refused ? 0 : 1, `backups in ${backups}: ${describeRun(fault, r)}`);
    const after = await live();
    if (expectWritten) {
      assert.is.not(after.metadata.resourceVersion, before.metadata.resourceVersion, 'the write reached the API server');
      assert.match(oneLine(r)[0], /may or may not have been applied; nothing more was written\. It was saved before as /, describeRun(fault, r));
    } else {
      assert.match(oneLine(r)[0], /nothing was written|may or may not have been applied/, describeRun(fault, r));
      assert.is(after.metadata.resourceVersion, before.metadata.resourceVersion, 'nothing changed');
    }
    note(fault, 'heal', r, `stops after 1 write: ${oneLine(r)[0].slice(0, 100)}`);
    if (expectWritten) await rearm(before);
  });
}

test('heal: 503 + Retry-After on the PATCH is retried with the same conditional patch and heals, exit 0', async () => {
  const before = await live();
  const backups = path.join(dir, 'heal-503');
  const r = await run('heal', ['hippo', '-n', ns, '--yes', '--wait=false', '--backup-dir', backups], [
    { method: 'PATCH', path: PGC_PATCH, fault: { kind: 'status', status: 503, retryAfter: '1' }, times: 1 },
  ]);
  const writes = proxy.writes();
  assert.is(writes.length, 2, writes.map((w) => w.outcome).join(', '));
  assert.is(writes[0].body, writes[1].body, 'the same conditional patch (same resourceVersion)');
  assert.is(r.code, 0, describeRun('heal 503', r));
  assert.is(backupsIn(backups).length, 1);
  note('503 + Retry-After on the PATCH', 'heal', r, 'retried once (same conditional patch, nothing applied before); healed');
  await rearm(before);
});

// ---- switchover: its write ------------------------------------------------------------------

let soNs: string;
test('switchover: 403 and 422 on its PATCH are one line, exit 1, one write; a cut-off answer keeps the backup and says so', async () => {
  soNs = await world.namespace('e2e-faults-so');
  const so = await world.cluster(soNs, 'hippo');
  for (const [fault, rule, applied] of [
    ['403 on the PATCH', { method: 'PATCH', path: PGC_PATCH, fault: { kind: 'status', status: 403 } }, false],
    ['422 on the PATCH', { method: 'PATCH', path: PGC_PATCH, fault: { kind: 'status', status: 422 } }, false],
    ['answer to the PATCH cut off (the write was applied)', { method: 'PATCH', path: PGC_PATCH, fault: { kind: 'cut', afterBytes: 100 } }, true],
  ] as Array<[string, Rule, boolean]>) {
    const before = await apiOk<KObject>('GET', clusterPath(so));
    const backups = path.join(dir, `so-${table.length}`);
    const r = await run('switchover', ['hippo', '-n', soNs, '--yes', '--wait=false', '--backup-dir', backups], [rule]);
    assert.is(proxy.writes().length, 1, `${fault}: ${proxy.writes().map((w) => w.outcome).join(', ')}\n${describeRun('switchover', r)}`);
    assert.is(r.code, 1, describeRun(fault, r));
    assert.is(oneLine(r).length, 1, describeRun(fault, r));
    assert.match(oneLine(r)[0], applied ? /may or may not have been applied/ : /refused the patch of PostgresCluster .*nothing was written/, describeRun(fault, r));
    assert.is(backupsIn(backups).length, applied ? 1 : 0);
    const after = await apiOk<KObject>('GET', clusterPath(so));
    assert.is(after.metadata.resourceVersion !== before.metadata.resourceVersion, applied, `${fault}: changed only when applied`);
    note(fault, 'switchover', r, `stops after 1 write: ${oneLine(r)[0].slice(0, 100)}`);
    if (applied) {
      // Disarm what went through, as the line tells a person to.
      const h = await kubectlPgo(['heal', 'hippo', '-n', soNs, '--yes', '--wait=false', '--backup-dir', backups]);
      assert.is(h.code, 0, describeRun('heal after the cut-off switchover', h));
    }
  }
});

test('no PVC was changed or removed by any of it', async () => {
  for (const n of [ns, soNs]) {
    const now = (await apiOk<{ items: KObject[] }>('GET', `/api/v1/namespaces/${n}/persistentvolumeclaims`)).items;
    const was = pvcs.get(n);
    if (was) assert.equal(now.map((p) => `${p.metadata.name} ${p.metadata.uid}`).sort(), was, n);
    assert.ok(now.length > 0, n);
  }
});

// ---- a real API server restart while heal and switchover wait -----------------------------

const restartApiserver = () =>
  new Promise<number>((resolve, reject) => {
    const t0 = Date.now();
    const p = spawn('bash', [path.join(repoRoot, 'scripts/sandbox/sandbox.sh'), 'restart-apiserver'], { env: { ...process.env, SANDBOX_DIR: sandboxDir }, stdio: 'ignore' });
    p.on('exit', (code) => (code === 0 ? resolve(Date.now() - t0) : reject(new Error(`restart-apiserver: exit ${code}`))));
  });

async function restartDuring(verb: string, args: string[], written: () => boolean): Promise<{ r: RunResult; restartMs: number }> {
  proxy.setRules([]);
  proxy.seen.length = 0;
  const running = kubectlPgo([verb, ...args], { kubeconfig: proxy.kubeconfig, timeoutMs: 120_000 });
  const t0 = Date.now();
  while (!written() && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 100));
  assert.ok(written(), `${verb} wrote within 30 s`);
  const restartMs = await restartApiserver();
  return { r: await running, restartMs };
}

test(`heal --wait: the API server restarted during the wait: the wait goes on, one write, exit 2 at the timeout`, async () => {
  if (!usingSandbox()) return;
  const backups = path.join(dir, 'heal-restart');
  const { r, restartMs } = await restartDuring('heal', ['hippo', '-n', ns, '--yes', '--timeout', '30s', '--backup-dir', backups], () => proxy.writes().some((w) => w.status === 200));
  assert.is(proxy.writes().length, 1, proxy.writes().map((w) => w.outcome).join(', '));
  assert.is(r.code, 2, describeRun('heal across a restart', r));
  assert.match(r.stdout, /the API server did not answer \(.*\); the change was applied/, describeRun('the wait says so', r));
  assert.match(r.stderr, /Timed out after 30\.0s/, describeRun('heal', r));
  assert.is(backupsIn(backups).length, 1);
  const after = await live();
  assert.is(after.spec.patroni.switchover.enabled, false);
  note(`kube-apiserver restarted during the wait (${(restartMs / 1000).toFixed(1)} s down)`, 'heal --wait', r, 'the write stands; waits through the restart, says the API server did not answer; times out as without it, one write');
});

test('switchover --wait: the API server restarted during the wait: one write, the request left in place, exit 2', async () => {
  if (!usingSandbox()) return;
  const healthyNs = await world.namespace('e2e-faults-so2');
  await world.cluster(healthyNs, 'hippo');
  const backups = path.join(dir, 'switchover-restart');
  const pre = await kubectlPgo(['switchover', 'hippo', '-n', healthyNs, '--dry-run=client']);
  assert.is(pre.code, 0, describeRun('preflight passes on the recorded healthy cluster', pre));
  const { r, restartMs } = await restartDuring('switchover', ['hippo', '-n', healthyNs, '--yes', '--timeout', '30s', '--backup-dir', backups], () => proxy.writes().some((w) => w.status === 200));
  assert.is(proxy.writes().length, 1, proxy.writes().map((w) => `${w.method} ${w.outcome}`).join(', '));
  assert.is(r.code, 2, describeRun('switchover across a restart', r));
  assert.match(r.stdout, /the API server did not answer \(.*\); the switchover request was written/, describeRun('the wait says so', r));
  assert.match(r.stderr, /The request is still in place/, describeRun('switchover', r));
  assert.is(backupsIn(backups).length, 1);
  note(`kube-apiserver restarted during the wait (${(restartMs / 1000).toFixed(1)} s down)`, 'switchover --wait', r, 'the request stands; waits through the restart; not verified (no Patroni here), request left in place, one write');
});

test.run();
