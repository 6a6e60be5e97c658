// One bounded pods/log GET per operator pod, the container chosen, failures as gaps.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gapFrom } from '../../../lib/collect/collect.ts';
import { readOperatorLog } from '../../../lib/collect/operator-log.ts';
import type { ApiClient, RequestOptions } from '../../../lib/kube/api.ts';
import { apiErrorFrom } from '../../../lib/kube/errors.ts';
import type { Gap, KObject } from '../../../lib/model/types.ts';
import { logWindow, operatorContainer } from '../../../lib/operator-log/source.ts';

const pod = (name: string, ns: string, containers: Array<{ name: string; image?: string }>, extra: Partial<KObject['spec']> = {}): KObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { nodeName: 'n1', containers, ...extra } });

function client(answer: (ro: RequestOptions) => string): ApiClient & { asked: RequestOptions[] } {
  const asked: RequestOptions[] = [];
  return {
    context: 'c', server: 's', defaultNamespace: 'default', requestCount: 0, asked,
    async request<T>(ro: RequestOptions): Promise<T> {
      asked.push(ro);
      return answer(ro) as T;
    },
    list: async () => ({ items: [], resourceVersion: '1' }),
    watch: async () => {},
  };
}

const LINE = 'time="2026-12-01T13:07:17Z" level=error msg="Reconciler error" PostgresCluster=db/hippo error="boom" func="f" name=hippo namespace=db\n';

test('the window: the last 15 minutes, the newest limitBytes/1 KiB lines, limitBytes as a cap', () => {
  assert.equal(logWindow(), { sinceSeconds: 900, tailLines: 4096, limitBytes: 4194304 });
  assert.equal(logWindow(3600, 1024 * 1024), { sinceSeconds: 3600, tailLines: 1024, limitBytes: 1048576 });
});

test('the operator container: "operator", else PGO\'s image, else the only one, else not a sidecar', () => {
  assert.is(operatorContainer(pod('p', 'x', [{ name: 'istio-proxy' }, { name: 'operator' }])), 'operator');
  assert.is(operatorContainer(pod('p', 'x', [{ name: 'istio-proxy', image: 'istio/proxyv2' }, { name: 'manager', image: 'registry.developers.crunchydata.com/crunchydata/postgres-operator:ubi9-5.8.9-0' }])), 'manager');
  assert.is(operatorContainer(pod('p', 'x', [{ name: 'pgo' }])), 'pgo');
  assert.is(operatorContainer(pod('p', 'x', [{ name: 'linkerd-proxy' }, { name: 'main' }])), 'main');
  assert.is(operatorContainer(pod('p', 'x', [])), undefined);
});

test('one GET per operator pod with the window; unscheduled or deleting pods are not asked', async () => {
  const c = client(() => LINE);
  const gaps: Gap[] = [];
  const w = logWindow();
  const log = await readOperatorLog(c, [
    pod('pgo-a', 'postgres-operator', [{ name: 'operator' }]),
    pod('pgo-b', 'postgres-operator', [{ name: 'operator' }]),
    pod('pgo-pending', 'postgres-operator', [{ name: 'operator' }], { nodeName: undefined }),
    { ...pod('pgo-gone', 'postgres-operator', [{ name: 'operator' }]), metadata: { name: 'pgo-gone', namespace: 'postgres-operator', deletionTimestamp: '2026-12-01T13:00:00Z' } },
  ], w, gaps, gapFrom);
  assert.equal(c.asked.map((r) => r.path), ['/api/v1/namespaces/postgres-operator/pods/pgo-a/log', '/api/v1/namespaces/postgres-operator/pods/pgo-b/log']);
  assert.equal(c.asked[0].query, { container: 'operator', sinceSeconds: 900, tailLines: 4096, limitBytes: 4194304 });
  assert.is(c.asked[0].text, true);
  assert.is(log?.sources.length, 2);
  assert.is(log?.sources[0].digest.errors[0].count, 1);
  assert.equal(gaps, []);
});

test('forbidden: one gap per namespace, and the log is unknown (undefined), not empty', async () => {
  const c = client(() => {
    throw apiErrorFrom(403, JSON.stringify({ reason: 'Forbidden', message: 'pods "pgo-a" is forbidden: User "bob" cannot get resource "pods/log" in API group "" in the namespace "postgres-operator"' }));
  });
  const gaps: Gap[] = [];
  const log = await readOperatorLog(c, [pod('pgo-a', 'postgres-operator', [{ name: 'operator' }]), pod('pgo-b', 'postgres-operator', [{ name: 'operator' }])], logWindow(), gaps, gapFrom);
  assert.is(log, undefined);
  assert.equal(gaps.map((g) => [g.verb, g.resource, g.namespace, g.status]), [['get', 'pods/log', 'postgres-operator', 403]]);
});

test('no operator pod: read, and nothing in it', async () => {
  const log = await readOperatorLog(client(() => ''), [], logWindow(), [], gapFrom);
  assert.equal(log, { sources: [] });
});

test('a body at limitBytes is cut: its last line is left out and the source says so', async () => {
  const w = { sinceSeconds: 60, tailLines: 10, limitBytes: LINE.length + 20 };
  const text = (LINE + LINE).slice(0, w.limitBytes);
  const log = await readOperatorLog(client(() => text), [pod('pgo-a', 'postgres-operator', [{ name: 'operator' }])], w, [], gapFrom);
  const s = log!.sources[0];
  assert.ok(s.truncated);
  assert.ok(s.digest.cutLine);
  assert.is(s.digest.errors[0].count, 1);
});

test.run();
