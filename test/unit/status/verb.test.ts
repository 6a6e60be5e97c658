// The status verb end to end with fake dependencies: scope, exit codes, formats, errors, --watch.
import { test } from 'uvu';
import { load } from 'js-yaml';
import * as assert from 'uvu/assert';
import { ExitError } from '../../../lib/cli/exit.ts';
import { globalFlagsOf } from '../../../lib/cli/global-flags.ts';
import { memoryIO } from '../../../lib/cli/io.ts';
import type { Scope } from '../../../lib/collect/collect.ts';
import type { ApiClient, WatchEvent } from '../../../lib/kube/api.ts';
import type { Finding, Snapshot } from '../../../lib/model/types.ts';
import { parseStatusArgs, runStatus, type StatusDeps } from '../../../lib/verbs/status.ts';
import type { ClusterView } from '../../../lib/view/cluster-view.ts';
import { NOW, healthyView, incidentFindings, incidentView, snapshot } from '../../helpers/status-fixtures.ts';

interface World {
  snap: Snapshot;
  views: ClusterView[];
  findings: Finding[];
}

const incident = (): World => {
  const v = incidentView();
  return { snap: snapshot([v.object], { source: { kind: 'file', path: 'dump.yaml' } }), views: [v], findings: incidentFindings };
};

function deps(worlds: World[], calls: { load?: Scope[]; collect?: Scope[] } = {}, client?: Partial<ApiClient>): StatusDeps {
  let i = 0;
  const next = () => worlds[Math.min(i++, worlds.length - 1)];
  const byTaken = new Map<string, World>();
  const remember = (w: World) => {
    const snap = { ...w.snap, takenAt: new Date(Date.parse(w.snap.takenAt) + i * 1000).toISOString() };
    byTaken.set(snap.takenAt, w);
    return snap;
  };
  const fake: ApiClient = {
    context: 'prod',
    server: 'https://10.0.0.1:6443',
    defaultNamespace: 'db',
    requestCount: 0,
    request: async () => ({}),
    list: async () => ({ items: [], resourceVersion: '1' }),
    watch: (_p, _q, _on, signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())),
    ...client,
  } as ApiClient;
  return {
    connect: async () => fake,
    collect: async (_c, scope) => {
      (calls.collect ??= []).push(scope);
      return remember(next());
    },
    loadSnapshot: (_p, scope) => {
      (calls.load ??= []).push(scope);
      return remember(next());
    },
    buildClusterViews: (s) => byTaken.get(s.takenAt)!.views,
    runChecks: (s) => byTaken.get(s.takenAt)!.findings,
    healthOf: (ref, findings) => (findings.some((f) => f.cluster?.name === ref.name && f.blocking) ? 'Blocked' : 'Healthy'),
    now: () => NOW,
  };
}

const args = (argv: Record<string, unknown>) => parseStatusArgs(argv, globalFlagsOf({ color: 'never', ...argv }));

test('--from without -n reads the whole dump; the incident exits 2', async () => {
  const io = memoryIO();
  const calls: { load?: Scope[] } = {};
  const code = await runStatus(args({ from: 'dump.yaml' }), io, deps([incident()], calls));
  assert.is(code, 2);
  assert.equal(calls.load, [{ allNamespaces: true, namespace: '', cluster: undefined }]);
  assert.match(io.stdout(), /^NAMESPACE   NAME    HEALTH    INSTANCES/);
  assert.match(io.stdout(), /db          hippo   Blocked   1\/2 /);
  assert.is(io.stderr(), '');
});

test('--from with a name and -n: the detailed view of that cluster', async () => {
  const io = memoryIO();
  const calls: { load?: Scope[] } = {};
  const code = await runStatus(args({ from: 'dump.yaml', cluster: 'hippo', namespace: 'db' }), io, deps([incident()], calls));
  assert.is(code, 2);
  assert.equal(calls.load, [{ allNamespaces: false, namespace: 'db', cluster: 'hippo' }]);
  assert.match(io.stdout(), /^Name:        hippo\nNamespace:   db\nHealth:      Blocked/);
});

test('a name not in the dump: one line naming the clusters that are there, exit 1', async () => {
  try {
    await runStatus(args({ from: 'dump.yaml', cluster: 'hipo' }), memoryIO(), deps([incident()]));
    assert.unreachable();
  } catch (e) {
    assert.instance(e, ExitError);
    assert.is((e as ExitError).code, 1);
    assert.is((e as Error).message, 'error: PostgresCluster "hipo" not found in dump.yaml; clusters there: db/hippo');
  }
});

test('a forbidden PostgresCluster list is a failure (exit 1), not a gap', async () => {
  const w = incident();
  w.snap = { ...w.snap, gaps: [{ resource: 'postgresclusters', verb: 'list', namespace: 'db', status: 403, message: 'forbidden' }] };
  try {
    await runStatus(args({}), memoryIO(), deps([w]));
    assert.unreachable();
  } catch (e) {
    assert.is((e as ExitError).code, 1);
    assert.is(
      (e as Error).message,
      'error: cannot list postgresclusters in namespace "db": forbidden (ask for: list postgresclusters.postgres-operator.crunchydata.com)',
    );
  }
});

test('API: the context namespace is the default scope; -A and -n override it', async () => {
  const calls: { collect?: Scope[] } = {};
  await runStatus(args({}), memoryIO(), deps([incident()], calls));
  await runStatus(args({ namespace: 'apps' }), memoryIO(), deps([incident()], calls));
  await runStatus(args({ allNamespaces: true }), memoryIO(), deps([incident()], calls));
  await runStatus(args({ cluster: 'hippo' }), memoryIO(), deps([incident()], calls));
  assert.equal(calls.collect, [
    { allNamespaces: false, namespace: 'db', cluster: undefined },
    { allNamespaces: false, namespace: 'apps', cluster: undefined },
    { allNamespaces: true, namespace: 'db', cluster: undefined },
    { allNamespaces: false, namespace: 'db', cluster: 'hippo' },
  ]);
});

test('-o json: only the report on stdout, exit code from its findings', async () => {
  const io = memoryIO({ isTTY: true, color: true });
  const code = await runStatus(args({ output: 'json', from: 'dump.yaml' }), io, deps([incident()]));
  assert.is(code, 2);
  const r = JSON.parse(io.stdout());
  assert.is(r.kind, 'StatusReport');
  assert.is(r.summary.errors, 2);
  assert.is(r.source.path, 'dump.yaml');
});

test('healthy: exit 0', async () => {
  const v = healthyView();
  const code = await runStatus(args({ from: 'x' }), memoryIO(), deps([{ snap: snapshot([v.object]), views: [v], findings: [] }]));
  assert.is(code, 0);
});

async function until(cond: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('--watch: prints again after a change, not when nothing changed, ends on the stop signal with the last code', async () => {
  const healed = (): World => {
    const v = healthyView();
    return { snap: snapshot([v.object]), views: [v], findings: [] };
  };
  const emitters: Array<(e: WatchEvent) => void> = [];
  const paths: string[] = [];
  const stop = new AbortController();
  const d = deps([incident(), incident(), healed()], {}, {
    watch: (path, _q, onEvent, signal) => {
      paths.push(path);
      emitters.push(onEvent);
      return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    },
  });
  d.stop = stop.signal;
  d.minIntervalMs = 20;
  d.resyncMs = 0; // every change collects again (the worlds below are what each collection sees)
  const io = memoryIO();
  const run = runStatus(args({ watch: true, namespace: 'db' }), io, d);
  await until(() => emitters.length === 6);
  assert.equal(paths, [
    '/apis/postgres-operator.crunchydata.com/v1beta1/namespaces/db/postgresclusters',
    '/apis/apps/v1/namespaces/db/statefulsets',
    '/api/v1/namespaces/db/pods',
    '/api/v1/namespaces/db/endpoints',
    '/api/v1/namespaces/db/persistentvolumeclaims',
    '/api/v1/namespaces/db/services',
  ]);
  const first = io.stdout();
  assert.match(first, /hippo   Blocked/);
  // A change that does not change the report: collected again (resyncMs 0), not printed again.
  emitters[1]({ type: 'MODIFIED', object: { metadata: { name: 'x' } } });
  await new Promise((r) => setTimeout(r, 100));
  assert.is(io.stdout(), first);
  emitters[2]({ type: 'MODIFIED', object: { metadata: { name: 'y' } } });
  await until(() => io.stdout().includes('Healthy'));
  stop.abort();
  assert.is(await run, 0);
  assert.is(io.stdout(), `${first}\nNAME     HEALTH    INSTANCES   PRIMARY               AGE    FINDING\norders   Healthy   2/2         orders-pgha1-abcd-0   4d8h\n`);
});

test('--watch on a terminal redraws the screen with a header; machines get whole documents', async () => {
  for (const [output, isTTY] of [['table', true], ['yaml', false]] as const) {
    const stop = new AbortController();
    let emit: ((e: WatchEvent) => void) | undefined;
    const healed = (): World => {
      const v = healthyView();
      return { snap: snapshot([v.object]), views: [v], findings: [] };
    };
    const d = deps([incident(), healed()], {}, {
      watch: (path, _q, onEvent, signal) => {
        if (path.endsWith('/pods')) emit = onEvent;
        return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      },
    });
    d.stop = stop.signal;
    d.minIntervalMs = 5;
    d.resyncMs = 0;
    const io = memoryIO({ isTTY, color: false });
    const run = runStatus(args({ watch: true, output }), io, d);
    await until(() => emit !== undefined);
    emit!({ type: 'MODIFIED', object: { metadata: { name: 'p' } } });
    await until(() => io.stdout().includes('orders'));
    stop.abort();
    assert.is(await run, 0);
    const out = io.stdout();
    if (isTTY) {
      const frames = out.split('\x1b[H\x1b[2J');
      assert.is(frames.length, 3, JSON.stringify(out));
      assert.is(frames[0], '');
      for (const f of frames.slice(1)) assert.match(f, /^Every change of the PostgresClusters in scope; updated 2026-11-25T17:30:05.000Z \(Ctrl-C to stop\)\n\nNAME /);
    } else {
      assert.not.match(out, /\x1b/);
      const docs = out.split(/^---\n/m);
      assert.is(docs.length, 2);
      assert.equal(docs.map((doc) => (load(doc) as { kind: string }).kind), ['StatusReport', 'StatusReport']);
    }
  }
});

test('--watch without watch permission: one warning naming it, and it keeps going', async () => {
  const stop = new AbortController();
  const d = deps([incident()], {}, {
    watch: async (path, _q, _on, signal) => {
      if (path.endsWith('/pods')) throw Object.assign(new Error('Error from server (Forbidden): pods is forbidden'), { status: 403 });
      return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    },
  });
  d.stop = stop.signal;
  d.minIntervalMs = 5;
  d.rewatchDelayMs = 5;
  const io = memoryIO();
  const run = runStatus(args({ watch: true, allNamespaces: true }), io, d);
  await until(() => io.stderr().includes('Warning'));
  await new Promise((r) => setTimeout(r, 80));
  stop.abort();
  assert.is(await run, 2);
  assert.is(io.stderr(), 'Warning: cannot watch pods: forbidden (ask for: watch pods); retrying\n');
});

test.run();
