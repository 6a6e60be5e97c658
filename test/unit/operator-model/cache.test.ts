// The model reads watched kinds through its informer cache, as PGO reads through controller-runtime's:
// what the watches delivered, not what the API server holds now; writes and other reads go through.
// The stores are client-node's own ListWatch, fed a list and then watch events by the test.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ListWatch, type ObjectCache, type Watch } from '@kubernetes/client-node';
import { InformerCache, readThroughCache } from '../../../scripts/sandbox/operator/model/cache.ts';
import type { KObj } from '../../../scripts/sandbox/kube/types.ts';
import type { Kube } from '../../../scripts/sandbox/kube/client.ts';
import { PATH } from '../../../scripts/sandbox/operator/model/paths.ts';

const pod = (name: string, labels: Record<string, string>, ready: boolean): KObj => ({
  metadata: { name, namespace: 'db', labels },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

/** A listed informer store, and a function that delivers one watch event to it. */
async function informer(items: KObj[]) {
  let deliver: (type: string, o: KObj) => void = () => assert.unreachable('not watching');
  const watch = {
    watch: async (_path: string, _q: unknown, cb: (type: string, o: KObj) => void) => {
      deliver = cb;
      return new AbortController();
    },
  } as unknown as Watch;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const lw = new ListWatch('/list', watch, async () => ({ items, metadata: { resourceVersion: '1' } }) as any, false);
  await lw.start();
  return { store: lw as unknown as ObjectCache<KObj>, event: (type: string, o: KObj) => deliver(type, o) };
}

function fakeServer() {
  const calls: string[] = [];
  const server = {
    getOrNull: async (p: string) => (calls.push(`GET ${p}`), { metadata: { name: 'from-server' } }),
    get: async (p: string) => (calls.push(`GET ${p}`), { metadata: { name: 'from-server' } }),
    list: async (p: string) => (calls.push(`LIST ${p}`), { items: [], resourceVersion: '9' }),
    apply: async (p: string) => (calls.push(`APPLY ${p}`), { metadata: { name: 'applied' } }),
  };
  return { calls, kube: server as unknown as Kube };
}

test('a pod turned Ready on the server is seen only once its watch event arrives', async () => {
  const cache = new InformerCache();
  const pods = await informer([pod('hippo-a-0', { 'postgres-operator.crunchydata.com/cluster': 'hippo', 'postgres-operator.crunchydata.com/instance': 'hippo-a' }, false)]);
  cache.add('Pod', pods.store);
  const { calls, kube } = fakeServer();
  const reader = readThroughCache(kube, cache);
  const ready = async () => (await reader.list(PATH.Pod('db'), 'postgres-operator.crunchydata.com/cluster=hippo,postgres-operator.crunchydata.com/instance')).items.map((p) => p.status.conditions[0].status);
  assert.equal(await ready(), ['False']);
  pods.event('MODIFIED', { ...pod('hippo-a-0', { 'postgres-operator.crunchydata.com/cluster': 'hippo', 'postgres-operator.crunchydata.com/instance': 'hippo-a' }, true), apiVersion: 'v1', kind: 'Pod' });
  assert.equal(await ready(), ['True']);
  assert.equal(await reader.list(PATH.Pod('db'), 'postgres-operator.crunchydata.com/cluster=other'), { items: [], resourceVersion: '' });
  assert.equal(calls, [], 'no request to the API server');
});

test('copies on the way out; deleted objects are gone; a missing object is a 404', async () => {
  const cache = new InformerCache();
  const sts = await informer([{ metadata: { name: 's', namespace: 'db' }, spec: { replicas: 1 } }]);
  cache.add('StatefulSet', sts.store);
  const reader = readThroughCache(fakeServer().kube, cache);
  const s = await reader.getOrNull(PATH.StatefulSet('db', 's'));
  s!.spec.replicas = 0;
  assert.is((await reader.get(PATH.StatefulSet('db', 's'))).spec.replicas, 1);
  sts.event('DELETED', { metadata: { name: 's', namespace: 'db' } });
  assert.is(await reader.getOrNull(PATH.StatefulSet('db', 's')), null);
  try {
    await reader.get(PATH.StatefulSet('db', 's'));
    assert.unreachable('expected a 404');
  } catch (e) {
    assert.is((e as { status?: number }).status, 404);
  }
});

test('writes, subresources, unwatched kinds and kinds not yet listed go to the API server', async () => {
  const cache = new InformerCache();
  cache.add('PostgresCluster', (await informer([])).store);
  const { calls, kube } = fakeServer();
  const reader = readThroughCache(kube, cache);
  await reader.apply(PATH.StatefulSet('db', 's'), { metadata: { name: 's' } }, 'm');
  await reader.list(PATH.Secret('db'), 'x');
  await reader.getOrNull(PATH.StatefulSet('db', 's'));
  await reader.get(PATH.PostgresCluster('db', 'hippo') + '/status');
  assert.equal(calls, [
    'APPLY /apis/apps/v1/namespaces/db/statefulsets/s',
    'LIST /api/v1/namespaces/db/secrets',
    'GET /apis/apps/v1/namespaces/db/statefulsets/s',
    'GET /apis/postgres-operator.crunchydata.com/v1beta1/namespaces/db/postgresclusters/hippo/status',
  ]);
});

test.run();
