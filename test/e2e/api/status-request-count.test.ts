// `status -A` makes a fixed number of API requests whatever the number of clusters: counted by
// the apiserver itself (apiserver_request_total from /metrics) at 5 and at 100 clusters.
// The client's LIST pages hold 5,000 objects, so at 100 clusters every kind fits in one page
// and the counts must be equal; pagination is still accounted for, should the page size ever
// shrink. Any request per cluster (a GET per pod, a LIST per namespace) fails this.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_PAGE_SIZE } from '../../../lib/kube/client.ts';
import { makeWorld, reportOf, type World } from '../../helpers/e2e-api.ts';
import { createCluster, shapeCluster } from '../../helpers/pgo-cluster.ts';
import { apiOk, apiserverRequestCounters, describeRun, kubectlPgo, pgoCrds, pluginLikeRequest, requestDelta } from '../../helpers/sandbox.ts';

const PAGE = DEFAULT_PAGE_SIZE;
const CLUSTER_LABEL = 'postgres-operator.crunchydata.com/cluster';
/** What the collector lists by the cluster label, cluster-wide. */
const LISTED = ['/apis/apps/v1/statefulsets', '/api/v1/pods', '/api/v1/persistentvolumeclaims', '/api/v1/endpoints', '/api/v1/services', '/apis/apps/v1/deployments', '/apis/batch/v1/jobs'];

let world: World;
let ns: string;

const pluginLike = pluginLikeRequest;

/** Requests of one `status -A -o json` run, and the clusters it reported in our namespace. */
async function countOnce(): Promise<{ total: number; detail: string; clusters: number }> {
  const before = await apiserverRequestCounters();
  const r = await kubectlPgo(['status', '-A', '-o', 'json']);
  const after = await apiserverRequestCounters();
  if (r.code !== 0 && r.code !== 2) throw new Error(describeRun('status -A -o json', r));
  const clusters = reportOf(r).clusters.filter((c) => c.namespace === ns).length;
  const d = requestDelta(before, after, pluginLike);
  const detail = d.bySeries.map((s) => `${s.labels.verb} ${s.labels.group || 'core'}/${s.labels.resource || s.labels.subresource}${s.labels.subresource && s.labels.resource ? `/${s.labels.subresource}` : ''} x${s.count}`).sort().join(', ');
  return { total: d.total, detail, clusters };
}

/** The smallest of three runs: a background request of the apiserver (e.g. its namespace
 *  controller's periodic GETs) can land inside a run; it adds, never removes. */
async function count(): Promise<{ total: number; detail: string; clusters: number }> {
  let best = await countOnce();
  for (let i = 0; i < 2; i++) {
    const next = await countOnce();
    if (next.total < best.total) best = next;
  }
  return best;
}

/** Extra pages the collector's lists may need: per listed kind, one per PAGE objects beyond the
 *  first page (counted with the cluster label, the widest selector the collector may use). */
async function extraPages(): Promise<{ pages: number; detail: string }> {
  let pages = 0;
  const detail: string[] = [];
  for (const path of LISTED) {
    const n = (await apiOk<{ items: unknown[] }>('GET', `${path}?labelSelector=${encodeURIComponent(CLUSTER_LABEL)}`)).items.length;
    const extra = Math.max(0, Math.ceil(n / PAGE) - 1);
    pages += extra;
    if (extra) detail.push(`${path.split('/').pop()}: ${n} objects, ${extra} extra page(s)`);
  }
  return { pages, detail: detail.join('; ') || 'none' };
}

/** Creates clusters name-001.. in parallel, 8 at a time (one at a time takes minutes). */
async function createMany(from: number, to: number): Promise<void> {
  const version = pgoCrds();
  const queue = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
        await createCluster(shapeCluster(version, ns, `pg-${String(n).padStart(3, '0')}`));
      }
    }),
  );
}

test.before(async () => {
  world = await makeWorld('e2e-count');
  ns = await world.namespace('e2e-count');
});

test.after(async () => {
  await world?.cleanup();
});

test('status -A: the same number of API requests at 5 and at 100 clusters (pagination aside)', async () => {
  await createMany(1, 5);
  const five = await count();
  assert.is(five.clusters, 5);
  const pages5 = await extraPages();
  const t0 = Date.now();
  await createMany(6, 100);
  const createdIn = Date.now() - t0;
  const hundred = await count();
  assert.is(hundred.clusters, 100);
  const pages100 = await extraPages();
  console.log(
    `  requests of status -A: ${five.total} at 5 clusters, ${hundred.total} at 100 (95 clusters created in ${createdIn} ms)\n` +
      `  pages beyond the first at 100 clusters: ${pages100.detail}\n  at 5:   ${five.detail}\n  at 100: ${hundred.detail}`,
  );
  assert.ok(five.total > 0, 'the counter saw the plugin at all');
  // PGO's log is read (one GET per operator pod, not per cluster).
  assert.match(five.detail, /CONNECT core\/pods\/log x\d+/);
  // The same kinds of request at both sizes: nothing new appears per cluster.
  const kinds = (d: string) => d.split(', ').map((x) => x.replace(/ x\d+$/, ''));
  assert.equal(kinds(hundred.detail), kinds(five.detail));
  // Equal, except for the pages more objects need (0 when no kind passes 500 objects).
  const grown = hundred.total - five.total;
  assert.is(pages100.pages, 0, `at 100 clusters every kind fits in one page (${pages100.detail})`);
  assert.is(grown, 0, `status -A made ${five.total} requests at 5 clusters and ${hundred.total} at 100\nat 5: ${five.detail}\nat 100: ${hundred.detail}`);
  assert.ok(grown >= 0 && grown <= pages100.pages - pages5.pages, `grew by ${grown}, pagination explains ${pages100.pages - pages5.pages} (${pages100.detail})\nat 5: ${five.detail}\nat 100: ${hundred.detail}`);
});

test.run();
