// --watch applies watch events to the last Snapshot instead of listing everything again.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryIO } from '../../../lib/cli/io.ts';
import { globalFlagsOf } from '../../../lib/cli/global-flags.ts';
import type { ApiClient, WatchEvent } from '../../../lib/kube/api.ts';
import type { KObject, Snapshot } from '../../../lib/model/types.ts';
import { parseStatusArgs, runStatus, sleep, type StatusDeps } from '../../../lib/verbs/status.ts';
import { WatchCache } from '../../../lib/verbs/watch-cache.ts';
import { followKind } from '../../../lib/verbs/watch-follow.ts';
import { NOW, healthyView, snapshot } from '../../helpers/status-fixtures.ts';

const pod = (name: string, rv: string, extra: Record<string, unknown> = {}): KObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'db', resourceVersion: rv, labels: { 'postgres-operator.crunchydata.com/cluster': 'orders' } }, ...extra }) as KObject;

function base(): Snapshot {
  const v = healthyView();
  const s = snapshot([v.object]);
  return { ...s, objects: { ...s.objects, pods: [pod('a', '1'), pod('b', '1')] } };
}

test('events replace, add and remove objects; replays of what is known change nothing', () => {
  const snap = base();
  const c = new WatchCache(snap);
  assert.is(c.apply('pods', { type: 'ADDED', object: pod('a', '1') }), false, 'the ADDED a new watch starts with');
  assert.is(c.apply('pods', { type: 'MODIFIED', object: pod('a', '2', { status: { phase: 'Running' } }) }), true);
  assert.is(c.apply('pods', { type: 'ADDED', object: pod('c', '3') }), true);
  assert.is(c.apply('pods', { type: 'DELETED', object: pod('b', '4') }), true);
  assert.is(c.apply('pods', { type: 'DELETED', object: pod('zz', '5') }), false);
  assert.is(c.apply('events', { type: 'MODIFIED', object: pod('a', '6') }), false, 'not a watched kind');
  const now = new Date('2026-11-25T18:00:00Z');
  const s = c.snapshot(now);
  assert.equal(s.objects.pods.map((p) => `${p.metadata.name}@${p.metadata.resourceVersion}`), ['a@2', 'c@3']);
  assert.is(s.takenAt, now.toISOString());
  assert.is(snap.objects.pods.length, 2, 'the collected Snapshot is not changed');
  assert.equal(s.objects.postgresClusters, snap.objects.postgresClusters);
});

test('what an event or a fresh LIST brings is kept as the first LIST kept it: pods and StatefulSets projected, Services metadata only, fieldsV1 dropped', () => {
  const c = new WatchCache(base());
  const spec = { nodeName: 'n1', volumes: [{ name: 'v' }], containers: [{ name: 'database', image: 'pg:16', env: [{ name: 'X', value: 'y' }] }] };
  const managedFields = [{ manager: 'kubelet', time: '2026-11-25T17:00:00Z', fieldsV1: { 'f:status': {} } }];
  assert.ok(c.apply('pods', { type: 'MODIFIED', object: pod('a', '2', { spec, metadata: { ...pod('a', '2').metadata, managedFields } }) }));
  const sts = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's', namespace: 'db', resourceVersion: '3', labels: { 'postgres-operator.crunchydata.com/cluster': 'orders' } }, spec: { replicas: 1, template: { spec } } } as KObject;
  assert.ok(c.replace('statefulsets', [sts]));
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'db', resourceVersion: '4', managedFields, labels: { 'postgres-operator.crunchydata.com/cluster': 'orders' } }, spec: { type: 'ClusterIP', ports: [{ port: 5432 }] } } as KObject;
  assert.ok(c.apply('services', { type: 'ADDED', object: svc }));
  const s = c.snapshot(new Date('2026-11-25T18:00:00Z'));
  const a = s.objects.pods.find((p) => p.metadata.name === 'a')!;
  assert.equal(a.spec, { nodeName: 'n1', containers: [{ name: 'database', image: 'pg:16' }] });
  assert.equal((a.metadata as { managedFields?: unknown }).managedFields, [{ manager: 'kubelet', time: '2026-11-25T17:00:00Z' }]);
  assert.equal(s.objects.statefulSets[0].spec, { replicas: 1 });
  assert.is(s.objects.services[0].spec, undefined, 'status reads only the metadata of Services');
  assert.is(s.objects.services[0].kind, 'Service');
  assert.equal((s.objects.services[0].metadata as { managedFields?: unknown }).managedFields, [{ manager: 'kubelet', time: '2026-11-25T17:00:00Z' }]);
});

test('an object an event brings is held to the shapes; problems of others found at collection stay', () => {
  const snap = base();
  snap.unreadable = [{ kind: 'Pod', namespace: 'db', name: 'gone', list: 'pods', fields: [{ field: 'status', found: 'nothing' }], more: 0, dropped: true }];
  const c = new WatchCache(snap);
  c.apply('pods', { type: 'MODIFIED', object: pod('a', '2', { status: { conditions: 'nope' } }) });
  const s = c.snapshot(NOW);
  assert.equal(s.unreadable?.map((u) => `${u.name} ${u.fields[0].field}`), ['gone status', 'a status.conditions']);
  assert.is((s.objects.pods.find((p) => p.metadata.name === 'a')!.status as { conditions?: unknown }).conditions, undefined);
});

test('runStatus --watch: a pod event is a new report from the kept Snapshot, with no collection', async () => {
  const v = healthyView();
  const first = { ...base(), objects: { ...base().objects, postgresClusters: [v.object] } };
  const collected: number[] = [];
  const seenPods: string[][] = [];
  let emit: ((e: WatchEvent) => void) | undefined;
  const stop = new AbortController();
  const client = {
    context: 'prod', server: 'https://x', defaultNamespace: 'db', requestCount: 0,
    request: async () => ({}), list: async () => ({ items: [], resourceVersion: '1' }),
    watch: (path: string, _q: unknown, onEvent: (e: WatchEvent) => void, signal: AbortSignal) => {
      if (path.endsWith('/pods')) emit = onEvent;
      return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    },
  } as unknown as ApiClient;
  const deps: StatusDeps = {
    connect: async () => client,
    collect: async () => {
      collected.push(Date.now());
      return first;
    },
    loadSnapshot: () => first,
    buildClusterViews: (s) => {
      seenPods.push(s.objects.pods.map((p) => p.metadata.name));
      return [v];
    },
    runChecks: () => [],
    healthOf: () => 'Healthy',
    now: () => NOW,
    stop: stop.signal,
    minIntervalMs: 5,
    resyncMs: 60_000,
  };
  const run = runStatus(parseStatusArgs({ watch: true, output: 'table' }, globalFlagsOf({ color: 'never' })), memoryIO(), deps);
  const until = async (cond: () => boolean) => {
    const end = Date.now() + 3000;
    while (!cond()) {
      if (Date.now() > end) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await until(() => emit !== undefined);
  emit!({ type: 'MODIFIED', object: pod('c', '9') });
  await until(() => seenPods.length >= 2);
  emit!({ type: 'DELETED', object: pod('a', '10') });
  await until(() => seenPods.length >= 3);
  stop.abort();
  assert.is(await run, 0);
  assert.is(collected.length, 1, 'only the first collection');
  assert.equal(seenPods.slice(0, 3), [['a', 'b'], ['a', 'b', 'c'], ['b', 'c']]);
});

test('a fresh LIST replaces a kind: changed only when an object differs; other kinds untouched', () => {
  const c = new WatchCache(base());
  assert.is(c.replace('pods', [pod('a', '1'), pod('b', '1')]), false, 'the same objects');
  assert.is(c.replace('pods', [pod('b', '1'), pod('c', '2')]), true);
  assert.equal(c.snapshot(NOW).objects.pods.map((p) => p.metadata.name), ['b', 'c']);
  assert.is(c.replace('events', []), false);
  assert.ok(c.apply('endpoints', { type: 'ADDED', object: { metadata: { name: 'orders-ha', namespace: 'db', resourceVersion: '3' } } }));
  assert.equal(c.snapshot(NOW).objects.endpoints.map((e) => `${e.kind} ${e.metadata.name}`), ['Endpoints orders-ha']);
});

test('rebase: the kinds not watched come from the new collection, the watched ones stay as events left them', () => {
  const snap = base();
  snap.unreadable = [{ kind: 'Pod', namespace: 'db', name: 'b', list: 'pods', fields: [{ field: 'status', found: 'nothing' }], more: 0, dropped: false }];
  const c = new WatchCache(snap);
  c.apply('pods', { type: 'ADDED', object: pod('c', '2') });
  const watched = c.watched();
  assert.equal(watched.pods.map((p) => p.metadata.name), ['a', 'b', 'c']);
  const event = { metadata: { name: 'e1', namespace: 'db' }, reason: 'Warn' } as unknown as KObject;
  c.rebase({ ...snap, objects: { ...snap.objects, ...watched, events: [event] }, unreadable: [] });
  c.apply('pods', { type: 'DELETED', object: pod('a', '3') });
  const s = c.snapshot(NOW);
  assert.equal(s.objects.pods.map((p) => p.metadata.name), ['b', 'c']);
  assert.equal(s.objects.events, [event]);
  assert.equal(s.unreadable?.map((u) => u.name), ['b'], 'the problem of an object no event replaced stays');
});

test('followKind: starts at the LIST\'s version, goes on from the last one seen, and after a 410 lists that kind only', async () => {
  const calls: string[] = [];
  const stop = new AbortController();
  const scripts: Array<(on: (e: WatchEvent) => void) => void> = [
    (on) => {
      on({ type: 'MODIFIED', object: pod('a', '5') });
      on({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '7' } } as KObject });
    },
    (on) => on({ type: 'ERROR', object: { metadata: {}, code: 410, message: 'too old resource version: 7 (9)' } as unknown as KObject }),
    () => {},
  ];
  const client = {
    list: async (path: string) => {
      calls.push(`list ${path}`);
      return { items: [pod('a', '9')], resourceVersion: '10' };
    },
    watch: async (path: string, q: Record<string, string | undefined>, on: (e: WatchEvent) => void, signal: AbortSignal) => {
      calls.push(`watch ${path} from ${q.resourceVersion} ${q.labelSelector}`);
      const script = scripts.shift();
      if (!script) return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      script(on);
    },
  } as unknown as ApiClient;
  const seen: string[] = [];
  const io = memoryIO();
  const run = followKind(client, { resource: 'pods', path: '/api/v1/pods', query: { labelSelector: 'x' } }, '4', {
    onEvent: (e) => seen.push(`${e.type} ${e.object.metadata.resourceVersion}`),
    onList: (items) => seen.push(`list ${items.map((o) => o.metadata.resourceVersion)}`),
  }, stop.signal, 1, io, sleep);
  const end = Date.now() + 3000;
  while (scripts.length && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 20));
  stop.abort();
  await run;
  assert.equal(calls, ['watch /api/v1/pods from 4 x', 'watch /api/v1/pods from 7 x', 'list /api/v1/pods', 'watch /api/v1/pods from 10 x', 'watch /api/v1/pods from 10 x']);
  assert.equal(seen, ['MODIFIED 5', 'list 9']);
  assert.is(io.stderr(), '', 'a 410 is expected now and then: no warning');
});

test.run();
