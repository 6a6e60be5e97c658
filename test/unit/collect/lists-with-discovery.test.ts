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

const otherLists = (api: FakeApi) => api.paths.filter((p) => !DISCOVERY.test(p) && !p.includes('/postgresclusters'));

test('every LIST but the PostgresClusters leaves with discovery, not after its answer', async () => {
  const api = new HeldDiscovery(['v1beta1']);
  const s = collect(api, scope);
  await tick();
  assert.ok(otherLists(api).some((p) => p.endsWith('/statefulsets')), otherLists(api).join('\n'));
  assert.ok(otherLists(api).some((p) => p.endsWith('/pods')));
  assert.equal(pgcLists(api), [], 'the PostgresClusters wait for the version discovery names');
  api.release();
  const snap = await s;
  assert.equal(snap.objects.postgresClusters.map((o) => o.metadata.name), ['hippo']);
  assert.equal(pgcLists(api), ['/apis/postgres-operator.crunchydata.com/v1beta1/namespaces/db/postgresclusters']);
});

test('discovery preferring v1 (PGO v6): one LIST, at v1', async () => {
  const api = new HeldDiscovery(['v1', 'v1beta1']);
  const s = collect(api, scope);
  await tick();
  api.release();
  const snap = await s;
  assert.equal(snap.pgo.apiVersions[0], 'v1');
  assert.equal(snap.objects.postgresClusters.map((o) => o.metadata.name), ['hippo']);
  assert.equal(pgcLists(api), ['/apis/postgres-operator.crunchydata.com/v1/namespaces/db/postgresclusters']);
});

test("PGO not installed: discovery's error, after every LIST started has settled", async () => {
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
