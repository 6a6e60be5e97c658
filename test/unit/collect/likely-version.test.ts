import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { collect } from '../../../lib/collect/collect.ts';
import { ExitError } from '../../../lib/cli/exit.ts';
import type { RequestOptions } from '../../../lib/kube/api.ts';
import { apiErrorFrom } from '../../../lib/kube/errors.ts';
import { clusterObjects, FakeApi } from '../../fixtures/kube/fake-api.ts';

const DISCOVERY = /^\/apis\/(postgres-operator\.crunchydata\.com|apiextensions\.k8s\.io\/.*)$/;

/** A fake whose discovery answers only when released, and whose PostgresCluster lists exist only at the served versions. */
class HeldDiscovery extends FakeApi {
  release!: () => void;
  private readonly held = new Promise<void>((r) => (this.release = r));
  constructor(private readonly served: string[]) {
    super(clusterObjects('hippo', 'db'), { versions: served });
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override async request<T = any>(ro: RequestOptions): Promise<T> {
    if (DISCOVERY.test(ro.path)) await this.held;
    const v = /^\/apis\/postgres-operator\.crunchydata\.com\/([^/]+)\//.exec(ro.path)?.[1];
    if (v && !this.served.includes(v)) {
      this.requestCount++;
      this.paths.push(ro.path);
      throw apiErrorFrom(404, '404 page not found');
    }
    return super.request<T>(ro);
  }
}

const scope = { allNamespaces: false, namespace: 'db' };
const pgcLists = (api: FakeApi) => api.paths.filter((p) => p.endsWith('/postgresclusters'));
const tick = () => new Promise((r) => setTimeout(r, 5));

test('the PostgresCluster LIST leaves with discovery, not after its answer, and is not repeated', async () => {
  const api = new HeldDiscovery(['v1beta1']);
  const s = collect(api, scope);
  await tick();
  assert.equal(pgcLists(api), ['/apis/postgres-operator.crunchydata.com/v1beta1/namespaces/db/postgresclusters']);
  api.release();
  const snap = await s;
  assert.equal(snap.objects.postgresClusters.map((o) => o.metadata.name), ['hippo']);
  assert.is(pgcLists(api).length, 1);
});

test('discovery preferring another version: listed again at it (one request more), the early 404 ignored', async () => {
  const api = new HeldDiscovery(['v1']);
  const s = collect(api, scope);
  await tick();
  api.release();
  const snap = await s;
  assert.equal(snap.pgo.apiVersions, ['v1']);
  assert.equal(snap.objects.postgresClusters.map((o) => o.metadata.name), ['hippo']);
  assert.equal(pgcLists(api), [
    '/apis/postgres-operator.crunchydata.com/v1beta1/namespaces/db/postgresclusters',
    '/apis/postgres-operator.crunchydata.com/v1/namespaces/db/postgresclusters',
  ]);
});

test("PGO not installed: discovery's error, not the early list's 404", async () => {
  const api = new HeldDiscovery([]);
  const s = collect(api, scope).catch((e) => e);
  await tick();
  api.release();
  const e = await s;
  assert.ok(e instanceof ExitError);
  assert.match(e.message, /PGO is not installed/);
});

test('discovery given by the caller (a watch collecting again): one list, at its version', async () => {
  const api = new HeldDiscovery(['v1']);
  api.release();
  await collect(api, scope, { discovery: { apiVersions: ['v1'] } });
  assert.equal(pgcLists(api), ['/apis/postgres-operator.crunchydata.com/v1/namespaces/db/postgresclusters']);
});

test.run();
