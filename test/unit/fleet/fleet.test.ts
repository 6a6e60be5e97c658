// status over several kubeconfig contexts: the real engine on fixture dumps, one context per dump,
// a fake connection per context. Order worst first, unreadable contexts as lines of their own,
// the exit code the highest of all, the bound on contexts read at once, --all-contexts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitError } from '../../../lib/cli/exit.ts';
import { globalFlagsOf } from '../../../lib/cli/global-flags.ts';
import { memoryIO } from '../../../lib/cli/io.ts';
import { healthOf, runChecks } from '../../../lib/checks/index.ts';
import type { ApiClient, WatchEvent } from '../../../lib/kube/api.ts';
import { fleetContexts, mapBounded } from '../../../lib/fleet/run.ts';
import type { FleetReport } from '../../../lib/fleet/report.ts';
import { loadSnapshot } from '../../../lib/snapshot/from-file.ts';
import { buildClusterViews } from '../../../lib/view/cluster-view.ts';
import { parseStatusArgs, runStatus, type StatusDeps } from '../../../lib/verbs/status.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DUMPS: Record<string, string> = {
  prod: path.join(root, 'test/fixtures/incident/incident.yaml'),
  staging: path.join(root, 'test/fixtures/clusters/base.yaml'),
};

function deps(seen: { connected: string[]; inFlight: number; maxInFlight: number; timeouts: Array<string | undefined> }, delayMs = 0): StatusDeps {
  return {
    connect: async (flags) => {
      seen.connected.push(flags.context ?? '');
      seen.timeouts.push(flags.requestTimeout);
      seen.inFlight++;
      seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
      await new Promise((r) => setTimeout(r, delayMs));
      seen.inFlight--;
      const dump = DUMPS[flags.context ?? ''];
      if (!dump) throw new ExitError(`error: Unable to connect to the server: dial tcp 127.0.0.1:1: connect: connection refused (context ${flags.context})`);
      return { context: flags.context, server: 'https://x', defaultNamespace: 'db', requestCount: 0 } as unknown as ApiClient;
    },
    collect: async (client, scope) => loadSnapshot(DUMPS[client.context!], scope),
    loadSnapshot: () => {
      throw new Error('not used');
    },
    buildClusterViews,
    runChecks,
    healthOf,
    now: () => new Date('2026-11-25T17:30:05Z'),
  };
}
const seenNew = () => ({ connected: [] as string[], inFlight: 0, maxInFlight: 0, timeouts: [] as Array<string | undefined> });
const args = (argv: Record<string, unknown>) => parseStatusArgs(argv, globalFlagsOf({ color: 'never', ...argv }));

test('one table, CONTEXT first, worst first: the unreadable context, then Blocked, then Healthy', async () => {
  const io = memoryIO();
  const code = await runStatus(args({ allNamespaces: true, contexts: ['staging,prod', 'gone'] }), io, deps(seenNew()));
  const lines = io.stdout().trimEnd().split('\n');
  assert.match(lines[0], /^CONTEXT\s+NAMESPACE\s+NAME\s+HEALTH\s+INSTANCES\s+PRIMARY\s+AGE\s+FINDING$/);
  assert.match(lines[1], /^gone\s+-\s+-\s+Unreadable\s.*Unable to connect to the server: dial tcp 127\.0\.0\.1:1/);
  assert.match(lines[2], /^prod\s+db\s+hippo\s+Blocked\s+1\/2\s.*SwitchoverBlocked/);
  assert.match(lines[3], /^staging\s+db\s+hippo\s+Healthy\s+2\/2/);
  assert.is(lines.length, 4);
  assert.is(code, 2, 'the worst of all: prod has error findings');
});

test('exit code: 1 when a context cannot be read and none has errors; 0 when all are healthy', async () => {
  assert.is(await runStatus(args({ allNamespaces: true, contexts: 'staging,gone' }), memoryIO(), deps(seenNew())), 1);
  assert.is(await runStatus(args({ allNamespaces: true, contexts: 'staging' }), memoryIO(), deps(seenNew())), 0);
});

test('each context gets --request-timeout, 30s when none is given', async () => {
  const seen = seenNew();
  await runStatus(args({ contexts: 'staging,prod' }), memoryIO(), deps(seen));
  assert.equal(seen.timeouts, ['30s', '30s']);
  const seen2 = seenNew();
  await runStatus(args({ contexts: 'staging', requestTimeout: '5s' }), memoryIO(), deps(seen2));
  assert.equal(seen2.timeouts, ['5s']);
});

test('-o json: a FleetReport holding one StatusReport per context, in the order asked', async () => {
  const io = memoryIO();
  await runStatus(args({ allNamespaces: true, contexts: 'prod,gone,staging', output: 'json' }), io, deps(seenNew()));
  const fleet = JSON.parse(io.stdout()) as FleetReport;
  assert.is(fleet.kind, 'FleetReport');
  assert.is(fleet.apiVersion, 'kubectl-pgo.crunchy-tools.dev/v1alpha1');
  assert.equal(fleet.contexts.map((c) => [c.context, c.state]), [['prod', 'Read'], ['gone', 'Unreadable'], ['staging', 'Read']]);
  assert.is(fleet.contexts[0].report!.kind, 'StatusReport');
  assert.is(fleet.contexts[0].report!.clusters[0].health, 'Blocked');
  assert.match(fleet.contexts[1].error!, /^Unable to connect/);
  assert.is(fleet.contexts[1].report, null);
  assert.equal({ ...fleet.summary }, { contexts: 3, unreadable: 1, clusters: 2, healthy: 1, degraded: 0, blocked: 1, unknown: 0, errors: fleet.contexts[0].report!.summary.errors, warnings: fleet.summary.warnings, infos: fleet.summary.infos });
  assert.ok(fleet.summary.errors >= 2);
});

test('contexts are read concurrently, at most --context-concurrency at once (default 8)', async () => {
  const names = Array.from({ length: 12 }, (_, i) => `n${i}`);
  const seen = seenNew();
  await runStatus(args({ contexts: names.join(','), contextConcurrency: 3 }), memoryIO(), deps(seen, 20));
  assert.is(seen.maxInFlight, 3);
  const seen8 = seenNew();
  const many = Array.from({ length: 20 }, (_, i) => `c${i}`);
  await runStatus(args({ contexts: many.join(',') }), memoryIO(), deps(seen8, 20));
  assert.is(seen8.maxInFlight, 8);
  assert.is(seen8.connected.length, 20);
});

test('mapBounded keeps the order of its items whatever finishes first', async () => {
  const out = await mapBounded([30, 1, 20, 5], 2, async (ms, i) => {
    await new Promise((r) => setTimeout(r, ms));
    return i;
  });
  assert.equal(out, [0, 1, 2, 3]);
});

test('--all-contexts: every context of the merged kubeconfig, in its order', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kpgo-fleet-'));
  const file = path.join(dir, 'config');
  writeFileSync(file, [
    'apiVersion: v1', 'kind: Config', 'current-context: b',
    'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
    'users: [{name: u, user: {token: t}}]',
    'contexts: [{name: b, context: {cluster: c, user: u}}, {name: a, context: {cluster: c, user: u}}, {name: z, context: {cluster: c, user: u}}]',
  ].join('\n'));
  assert.equal(fleetContexts(args({ allContexts: true, kubeconfig: file })), ['b', 'a', 'z']);
  assert.equal(fleetContexts(args({ contexts: 'z,nope' })), ['z', 'nope']);
});

const usage = (argv: Record<string, unknown>, re: RegExp) =>
  assert.throws(() => args(argv), (e: unknown) => e instanceof ExitError && e.code === 1 && re.test((e as Error).message) && !(e as Error).message.includes('\n'));

test('fleet flags: mistakes are one line, exit 1', () => {
  usage({ contexts: 'a', allContexts: true }, /--contexts and --all-contexts cannot be used together/);
  usage({ contexts: 'a', context: 'b' }, /--context cannot be used with --contexts/);
  usage({ allContexts: true, from: 'dump.yaml' }, /--all-contexts cannot be used with --from/);
  usage({ contexts: ',' }, /--contexts needs at least one context name/);
  usage({ contexts: 'a', contextConcurrency: 0 }, /invalid argument "0" for "--context-concurrency"/);
  usage({ contextConcurrency: 2 }, /--context-concurrency needs --contexts or --all-contexts/);
  usage({ contexts: 'a', output: 'prometheus', watch: true }, /-o prometheus cannot be used with --watch/);
  assert.equal(args({ contexts: ['a,b', 'a', ' c '] }).contexts, ['a', 'b', 'c']);
});

test('--watch over the fleet: a change in one context collects that context again, not the others; the table is printed again', async () => {
  const emitters = new Map<string, Array<(e: WatchEvent) => void>>();
  const collected: string[] = [];
  const dumps = { ...DUMPS };
  const stop = new AbortController();
  const d = deps(seenNew());
  const connect = d.connect;
  d.connect = async (flags) => {
    const c = await connect(flags);
    return {
      ...c,
      watch: (_p: string, _q: unknown, on: (e: WatchEvent) => void, signal: AbortSignal) => {
        emitters.set(flags.context!, [...(emitters.get(flags.context!) ?? []), on]);
        return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      },
    } as unknown as ApiClient;
  };
  d.collect = async (client, scope) => {
    collected.push(client.context!);
    return loadSnapshot(dumps[client.context!], scope);
  };
  d.stop = stop.signal;
  d.minIntervalMs = 10;
  const io = memoryIO();
  const run = runStatus(args({ allNamespaces: true, contexts: 'prod,staging', watch: true }), io, d);
  const until = async (ok: () => boolean) => {
    for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(ok(), 'timed out');
  };
  await until(() => (emitters.get('prod')?.length ?? 0) === 3 && (emitters.get('staging')?.length ?? 0) === 3);
  assert.match(io.stdout(), /^prod\s+db\s+hippo\s+Blocked/m);
  assert.equal(collected.sort(), ['prod', 'staging']);
  dumps.prod = DUMPS.staging; // prod heals
  emitters.get('prod')![1]({ type: 'MODIFIED', object: { metadata: { name: 'x' } } });
  await until(() => io.stdout().split('CONTEXT').length === 3);
  stop.abort();
  assert.is(await run, 0, 'the exit code of the last fleet report');
  assert.equal(collected.sort(), ['prod', 'prod', 'staging']);
  const last = io.stdout().split('CONTEXT').pop()!;
  assert.match(last, /\nprod\s+db\s+hippo\s+Healthy/);
});

test.run();
