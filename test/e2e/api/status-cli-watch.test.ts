// `kubectl pgo status --watch` through real kubectl against the real API server: it prints a
// paused cluster, prints again when the PostgresCluster changes, and Ctrl-C (SIGINT) ends it
// cleanly with the exit code of the last report. The cluster is paused so that an operator, when
// the sandbox runs one, leaves it alone and the frames are predictable.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { makeWorld, type World } from '../../helpers/e2e-api.ts';
import { kubeEnv, kubectlPath } from '../../helpers/kubectl.ts';
import { LABEL } from '../../../lib/model/types.ts';
import { clusterPath, collectionPath, shapeCluster, type ClusterObjects } from '../../helpers/pgo-cluster.ts';
import { adminKubeconfigPath, apiOk, pgoCrds } from '../../helpers/sandbox.ts';

let world: World;
let ns: string;
let cluster: ClusterObjects;

test.before(async () => {
  world = await makeWorld('e2e-swatch');
  ns = await world.namespace('e2e-swatch');
  cluster = shapeCluster(pgoCrds(), ns, 'hippo');
  const pgc = structuredClone(cluster.objects.find((o) => o.kind === 'PostgresCluster')!);
  delete pgc.status;
  pgc.spec.paused = true;
  await apiOk('POST', collectionPath(pgc, ns), pgc);
});

test.after(async () => {
  await world?.cleanup();
});

async function until(what: string, cond: () => boolean, ms: number, log: () => string) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('--watch: first frame, a new frame after a change, SIGINT ends it with the last code and no stack', async () => {
  const child = spawn(kubectlPath(), ['pgo', 'status', 'hippo', '-n', ns, '--watch'], {
    env: kubeEnv(adminKubeconfigPath()),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const log = () => `--- stdout\n${stdout}\n--- stderr\n${stderr}`;
  const frames = () => stdout.split(/^(?=Name: )/m).filter((f) => f.startsWith('Name: '));
  try {
    await until('the first frame', () => frames().length >= 1 && /^Findings .*$/m.test(stdout), 60_000, log);
    assert.match(frames()[0], /^Health:\s+Blocked/m);
    assert.match(frames()[0], /ReconcilePaused/);
    assert.match(frames()[0], /^ {2}State:\s+Off$/m);
    // Piped: frames are appended, the screen is never cleared.
    assert.not.match(stdout, /\x1b\[/);

    // Request a switchover; the watch on postgresclusters sees it and a new frame shows it.
    const merge = { contentType: 'application/merge-patch+json' };
    await apiOk(
      'PATCH',
      clusterPath(cluster),
      { metadata: { annotations: { [LABEL.triggerSwitchover]: 'e2e-watch' } }, spec: { patroni: { switchover: { enabled: true } } } },
      merge,
    );
    await until('a frame after the change', () => frames().some((f) => /^ {2}Requested:\s+"e2e-watch"/m.test(f) && /^Findings .*$/m.test(f)), 30_000, log);
    assert.match(frames()[frames().length - 1], /^ {2}State:\s+(Pending|Blocked)$/m);

    const t0 = Date.now();
    child.kill('SIGINT');
    const { code, signal } = await exited;
    assert.ok(Date.now() - t0 < 5_000, `took ${Date.now() - t0} ms to stop`);
    assert.is(signal, null, 'ended by itself, not killed by the signal');
    // The code of the last report: the cluster is still paused (an error finding), so 2.
    assert.is(code, 2, log());
    assert.not.match(stderr, /^\s+at .+:\d+:\d+\)?$/m, log());
    assert.not.match(stderr, /^error:/m, log());
  } finally {
    child.kill('SIGKILL');
  }
});

test.run();
