// Failure paths of PGO that no specific check covers, end to end against the operator in the
// sandbox (the model, or the real binary with SANDBOX_OPERATOR=PATH): a healthy two-instance
// cluster whose spec.service PGO cannot apply. PGO fails at reconcilePatroniLeaderLease on every
// reconcile, so every later step is skipped while the instances still look fine - the cluster a
// diagnosis tool must not call Healthy. Two causes, as PGO's source has them:
//   1. spec.service.nodePort with type ClusterIP: PGO refuses it itself (Warning Event
//      MisconfiguredClusterIP, error `NodePort cannot be set with type ClusterIP on Service "hippo-ha"`);
//   2. a node port another Service in the cluster already holds: the API server refuses PGO's apply
//      (`... provided port is already allocated`);
// and a third, on a new cluster: a postgresVersion the operator has no image for (Warning Event
// MissingRequiredImage, `Missing image(s): [...]`, before any step).
// For each: `kubectl pgo status` says Blocked in PGO's words (never Healthy, never "wait");
// `kubectl pgo heal` changes nothing, prints the remedy for a person with real names, exits 2.
// Needs `npm run sandbox -- up --operator` and `npm run build`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clusterManifest, getCluster, patchCluster, waitHealthy, type Obj } from '../../helpers/operator.ts';
import { operatorSuite } from '../../helpers/operator-suite.ts';
import { api, apiOk, describeRun, kubectlPgo, waitFor, type RunResult } from '../../helpers/sandbox.ts';
import { assertNoPluginWrite } from '../../helpers/plugin-writes.ts';

const name = 'hippo';
const backups = mkdtempSync(path.join(tmpdir(), 'kpgo-e2e-failpath-'));
const { ns, timings, clusterLog, createCluster } = operatorSuite(test, 'e2e-failpath', {
  setUp: async () => {
    await createCluster(clusterManifest(ns, name));
    await waitHealthy(ns, name);
  },
  tearDown: () => rmSync(backups, { recursive: true, force: true }),
});
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const PLACEHOLDER = /<[a-z][a-z -]*>/i;
const WAIT_ADVICE = /wait a few seconds|check again|usually within seconds/i;

interface Report {
  health: string;
  findings: Array<{ code: string; severity: string; message: string; detail: string; remedy: string; blocking?: boolean }>;
}

async function statusJson(cluster = name): Promise<{ r: RunResult; c: Report }> {
  const r = await kubectlPgo(['status', cluster, '-n', ns, '-o', 'json']);
  const c = JSON.parse(r.stdout).clusters.find((x: Obj) => x.name === cluster);
  return { r, c };
}

/** Waits for PGO's error line about the cluster, written after `mark` (a count of earlier lines). */
async function waitForReconcilerError(mark: number, words: string, cluster = name): Promise<string> {
  return waitFor(`"Reconciler error" with ${JSON.stringify(words)} in the operator log`, async () => clusterLog(cluster).slice(mark).find((l) => l.includes('msg="Reconciler error"') && l.includes(words)), {
    timeoutMs: 90_000,
  });
}

/** Polls `status` until it says Blocked in PGO's words; once PGO has logged the error, no look may say Healthy. */
async function waitBlocked(words: string, cluster: string): Promise<Report> {
  let last = '';
  const found = await waitFor(`kubectl pgo status to say Blocked with ${JSON.stringify(words)}`, async () => {
    const s = await statusJson(cluster);
    last = describeRun('kubectl pgo status -o json', s.r);
    assert.is.not(s.c.health, 'Healthy', `a false Healthy after PGO logged its error\n${last}`);
    return s.c.health === 'Blocked' && s.c.findings.some((f) => f.severity === 'error' && `${f.message}\n${f.detail}`.includes(words)) ? s : undefined;
  }, { timeoutMs: 90_000, intervalMs: 2000 }).catch((e) => assert.unreachable(`${e.message}\n${last}`));
  if (!found) throw new Error('unreachable');
  return found.c;
}

/** What every failure path must show: status and heal, through real kubectl with the built plugin. */
async function assertBlockedAndNotHealed(words: string, cluster = name): Promise<void> {
  const report = await waitBlocked(words, cluster);
  for (const f of report.findings) assert.not.match(f.remedy, PLACEHOLDER, `${f.code}: a placeholder in the remedy: ${f.remedy}`);

  const text = await kubectlPgo(['status', cluster, '-n', ns]);
  assert.is(text.code, 2, describeRun('kubectl pgo status', text));
  assert.match(text.stdout, /Blocked/);
  assert.ok(text.stdout.includes(words), describeRun('kubectl pgo status: PGO\'s words', text));
  assert.not.match(text.stdout, WAIT_ADVICE, describeRun('kubectl pgo status: no "wait" while PGO fails', text));

  const before = await getCluster(ns, cluster);
  const heal = await kubectlPgo(['heal', cluster, '-n', ns, '--yes', '--backup-dir', backups], { timeoutMs: 120_000 });
  assert.is(heal.code, 2, describeRun('kubectl pgo heal', heal));
  assert.match(heal.stdout, /Not healed \(heal has no safe automatic remedy; what a person can do\):/, describeRun('kubectl pgo heal', heal));
  assert.ok(heal.stdout.includes(words), describeRun('kubectl pgo heal: PGO\'s words', heal));
  const remedies = heal.stdout.slice(heal.stdout.indexOf('Not healed'));
  assert.not.match(remedies, PLACEHOLDER, describeRun('kubectl pgo heal: no placeholder', heal));
  assert.ok(remedies.includes(ns), describeRun('kubectl pgo heal: the remedy names the namespace', heal));
  assert.not.match(heal.stdout, /Healed /);
  assertNoPluginWrite(before, await getCluster(ns, cluster), `PostgresCluster ${ns}/${cluster}`);
}

/** spec.service removed: PGO applies its ClusterIP Service again and no error quotes the failure
 *  any more. (Healthy is not asked for: whether the rest of the cluster is healthy is another matter.) */
async function restore(words: string): Promise<void> {
  await patchCluster(ns, name, { spec: { service: null } });
  await waitFor('PGO to apply its ClusterIP Service hippo-ha again', async () => (await apiOk('GET', `/api/v1/namespaces/${ns}/services/hippo-ha`)).spec.type === 'ClusterIP', { timeoutMs: 60_000 });
  await waitFor(`no error finding quoting ${JSON.stringify(words)} any more`, async () => {
    const { c } = await statusJson();
    // The detail may still list it among the errors of the last minutes; the finding itself moves on.
    return !c.findings.some((f) => f.severity === 'error' && f.message.includes(words));
  }, { timeoutMs: 120_000, intervalMs: 2000 });
}

test('spec.service.nodePort with type ClusterIP: PGO refuses it (MisconfiguredClusterIP); status Blocked in its words; heal exit 2', async () => {
  const words = 'NodePort cannot be set with type ClusterIP on Service "hippo-ha"';
  const t0 = Date.now();
  const mark = clusterLog(name).length;
  await patchCluster(ns, name, { spec: { service: { type: 'ClusterIP', nodePort: 30000 + Math.floor(Math.random() * 2767) } } });
  await waitForReconcilerError(mark, 'NodePort cannot be set with type ClusterIP');
  const event = await waitFor('the Warning Event MisconfiguredClusterIP', async () => {
    const list = await apiOk('GET', `/api/v1/namespaces/${ns}/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${name},reason=MisconfiguredClusterIP`)}`);
    return list.items.find((e: Obj) => e.type === 'Warning');
  }, { timeoutMs: 60_000 });
  assert.is(event.message, words);
  await assertBlockedAndNotHealed(words);
  timings.push(`MisconfiguredClusterIP: Blocked and heal exit 2 ${secs(Date.now() - t0)} after the change`);
  await restore(words);
});

test('a node port another Service holds: the API server refuses PGO\'s Service; status Blocked in its words; heal exit 2', async () => {
  // An object in the cluster: a Service of someone else's that already holds the port.
  let port = 0;
  for (let i = 0; i < 20 && !port; i++) {
    const p = 30000 + Math.floor(Math.random() * 2767);
    const r = await api('POST', `/api/v1/namespaces/${ns}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'squatter' },
      spec: { type: 'NodePort', selector: { app: 'none' }, ports: [{ port: 80, nodePort: p }] },
    });
    if (r.status === 201) port = p;
  }
  assert.ok(port, 'a free node port for the squatter Service');
  const words = 'provided port is already allocated';
  const t0 = Date.now();
  const mark = clusterLog(name).length;
  await patchCluster(ns, name, { spec: { service: { type: 'NodePort', nodePort: port } } });
  const line = await waitForReconcilerError(mark, words);
  assert.ok(line.includes(`spec.ports[0].nodePort: Invalid value: ${port}`), line);
  await assertBlockedAndNotHealed(words);
  timings.push(`node port taken: Blocked and heal exit 2 ${secs(Date.now() - t0)} after the change`);
  await apiOk('DELETE', `/api/v1/namespaces/${ns}/services/squatter`);
  await restore(words);
});

test('no image for the PostgreSQL version asked for: PGO stops at once (MissingRequiredImage); status Blocked in its words; heal exit 2', async () => {
  // manager.yaml has RELATED_IMAGE_POSTGRES_15 to 18 only; 14 is valid for the CRD.
  const other = 'noimage';
  const manifest = clusterManifest(ns, other);
  manifest.spec.postgresVersion = 14;
  const words = 'Missing image(s)';
  const t0 = Date.now();
  const mark = clusterLog(other).length;
  await createCluster(manifest);
  await waitForReconcilerError(mark, words, other);
  await waitFor('the Warning Event MissingRequiredImage', async () => {
    const list = await apiOk('GET', `/api/v1/namespaces/${ns}/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${other},reason=MissingRequiredImage`)}`);
    return list.items.find((e: Obj) => e.type === 'Warning' && e.message.startsWith(words));
  }, { timeoutMs: 60_000 });
  await assertBlockedAndNotHealed(words, other);
  timings.push(`MissingRequiredImage: Blocked and heal exit 2 ${secs(Date.now() - t0)} after creation`);
});

test.run();
