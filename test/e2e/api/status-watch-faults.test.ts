// `kubectl pgo status --watch` when reading fails in the middle of a watch (the fault proxy
// resets every watch stream and answers 500 to every PostgresCluster LIST, so the plugin can
// neither follow nor list again): a warning line per kind it cannot follow, naming the reason and
// no permission (none is missing), no stack, the watch goes on, and the next change is reported
// once the API answers again. Through real kubectl against the real API server.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFaultProxy, type FaultProxy } from '../../../scripts/sandbox/fault-proxy.ts';
import { makeWorld, type World } from '../../helpers/e2e-api.ts';
import { kubeEnv, kubectlPath } from '../../helpers/kubectl.ts';
import { clusterPath, type ClusterObjects } from '../../helpers/pgo-cluster.ts';
import { adminKubeconfigPath, apiOk } from '../../helpers/sandbox.ts';

let world: World;
let ns: string;
let cluster: ClusterObjects;
let proxy: FaultProxy;

test.before(async () => {
  world = await makeWorld('e2e-wfault');
  ns = await world.namespace('e2e-wfault');
  cluster = await world.cluster(ns, 'hippo');
  proxy = await startFaultProxy(adminKubeconfigPath(), mkdtempSync(path.join(os.tmpdir(), 'kpgo-wfault-')));
});

test.after(async () => {
  await proxy?.close();
  await world?.cleanup();
});

async function until(what: string, cond: () => boolean, ms: number, log: () => string) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('reading that fails during --watch is a warning line, no stack; the watch goes on and reports the next change', async () => {
  // From the start: every PostgresCluster watch is reset, so the plugin lists that kind again,
  // and those LISTs fail (500) after the first (the initial collection's) three times in a row.
  proxy.setRules([
    { method: 'GET', path: /\/postgresclusters\?.*watch=(true|1)/, fault: { kind: 'reset' } },
    { method: 'GET', path: /\/postgresclusters\?(?!.*watch=)/, fault: { kind: 'status', status: 500, message: 'etcdserver: request timed out' }, skip: 1, times: 3 },
  ]);
  const child = spawn(kubectlPath(), ['pgo', 'status', '-n', ns, '--watch'], { env: kubeEnv(proxy.kubeconfig), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const log = () => `--- stdout\n${stdout}\n--- stderr\n${stderr}\n--- proxy\n${proxy.seen.slice(-12).map((s) => `${s.method} ${s.url} ${s.outcome}`).join('\n')}`;
  try {
    await until('the first frame', () => /^hippo\s+\S+/m.test(stdout), 60_000, log);
    await until('the failed LISTs', () => proxy.seen.filter((s) => s.outcome.startsWith('status 500')).length >= 3, 60_000, log);
    await until('a warning about it', () => /^Warning: cannot watch postgresclusters in namespace "[^"]+": .+; retrying$/m.test(stderr), 30_000, log);
    const warnings = stderr.split('\n').filter((l) => l.startsWith('Warning: cannot watch'));
    assert.ok(warnings.every((l) => !/ask for/.test(l)), `a reset or a 500 is not a missing permission:\n${log()}`);
    assert.not.match(stderr, /^\s+at .+:\d+:\d+\)?$/m, log());
    assert.is(child.exitCode, null, `the watch ended:\n${log()}`);

    // The API answers again; a change to the cluster is reported.
    proxy.setRules([]);
    await apiOk('PATCH', clusterPath(cluster), { spec: { paused: true } }, { contentType: 'application/merge-patch+json' });
    await until('a frame with the change', () => /^hippo\s+Blocked\s.*ReconcilePaused/m.test(stdout), 75_000, log);
    child.kill('SIGINT');
    assert.is(await exited, 2, log());
  } finally {
    child.kill('SIGKILL');
  }
});

test.run();
