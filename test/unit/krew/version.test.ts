// The operator version from what the cluster shows (a stand-in ApiClient), and the text output.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { load as loadYaml } from 'js-yaml';
import type { ApiClient, RequestOptions } from '../../../lib/kube/api.ts';
import { ApiError } from '../../../lib/kube/errors.ts';
import type { KObject } from '../../../lib/model/types.ts';
import { goArch } from '../../../lib/version/client.ts';
import { findOperator, imageTag, pickVersion, versionFrom, workloadOf } from '../../../lib/version/operator.ts';
import { renderText } from '../../../lib/version/run.ts';
import { repoRoot } from '../../helpers/kubectl.ts';

const KEY = 'postgres-operator.crunchydata.com/control-plane';

function deployment(ns: string, name: string, image: string, labels: Record<string, string> = {}): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { namespace: ns, name, labels: { [KEY]: 'postgres-operator', ...labels } },
    spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox:1.36' }, { name: 'operator', image }] } } },
  } as unknown as KObject;
}

interface Fake {
  lists: Record<string, KObject[] | number>;
  crd?: KObject | number;
}

function fakeApi(f: Fake): ApiClient & { paths: string[] } {
  const paths: string[] = [];
  const fail = (status: number) => new ApiError(`Error from server: ${status}`, status, status === 403 ? 'Forbidden' : 'NotFound');
  return {
    context: 'test',
    server: 'https://127.0.0.1:6443',
    defaultNamespace: 'db',
    requestCount: 0,
    paths,
    async request<T>(o: RequestOptions): Promise<T> {
      paths.push(o.path);
      if (typeof f.crd === 'number' || f.crd === undefined) throw fail(typeof f.crd === 'number' ? f.crd : 404);
      return f.crd as T;
    },
    async list(p: string) {
      paths.push(p);
      const r = f.lists[p];
      if (r === undefined) return { items: [], resourceVersion: '1' };
      if (typeof r === 'number') throw fail(r);
      return { items: r, resourceVersion: '1' };
    },
    async watch() {},
  };
}

test('versions from labels and image tags', () => {
  assert.is(versionFrom('5.8.9'), 'v5.8.9');
  assert.is(versionFrom('v6.0.3'), 'v6.0.3');
  assert.is(versionFrom('ubi9-5.8.9-0'), 'v5.8.9');
  assert.is(versionFrom('ubi8-15.4-0'), undefined);
  assert.is(versionFrom('latest'), undefined);
  assert.is(imageTag('registry.example:5000/crunchydata/postgres-operator:ubi9-5.8.9-0'), 'ubi9-5.8.9-0');
  assert.is(imageTag('registry.example:5000/postgres-operator'), undefined);
  assert.is(imageTag('postgres-operator:ubi9-5.8.9-0@sha256:abc'), 'ubi9-5.8.9-0');
  assert.is(goArch('x64'), 'amd64');
  assert.is(goArch('arm64'), 'arm64');
});

test('the operator container of the recorded manager Deployment, and the version label winning over the tag', () => {
  const recorded = loadYaml(readFileSync(path.resolve(repoRoot, '../shared/fixtures/pgo/v5.8.9/manager.yaml'), 'utf8')) as KObject;
  const w = workloadOf({ ...recorded, metadata: { ...recorded.metadata, namespace: 'postgres-operator' } } as KObject, 'Deployment');
  assert.is(w.name, 'pgo');
  assert.is(w.image, 'postgres-operator');
  assert.is(w.version, undefined, 'an untagged image says no version');
  const labelled = workloadOf(deployment('pgo', 'pgo', 'x/postgres-operator:ubi9-5.8.8-0', { 'app.kubernetes.io/version': '5.8.9' }), 'Deployment');
  assert.is(labelled.version, 'v5.8.9');
  assert.is(labelled.image, 'x/postgres-operator:ubi9-5.8.8-0');
  assert.equal(pickVersion([w], 'v5.8.9').version, 'v5.8.9');
  assert.match(pickVersion([w], 'v5.8.9').source!, /CRD/);
  assert.equal(pickVersion([w], undefined), {});
});

test('findOperator: cluster-wide Deployment by label key, CRD label as a second opinion', async () => {
  const api = fakeApi({
    lists: { '/apis/apps/v1/deployments': [deployment('postgres-operator', 'pgo', 'reg/postgres-operator:ubi9-5.8.9-0')] },
    crd: { metadata: { name: 'postgresclusters.postgres-operator.crunchydata.com', labels: { 'app.kubernetes.io/version': '5.8.9' } } } as unknown as KObject,
  });
  const op = await findOperator(api);
  assert.is(op.version, 'v5.8.9');
  assert.is(op.source, 'Deployment postgres-operator/pgo');
  assert.is(op.crdVersion, 'v5.8.9');
  assert.equal(op.notes, []);
});

test('findOperator: forbidden cluster-wide falls back to the current namespace, then to pods, and says so', async () => {
  const pod = {
    metadata: { namespace: 'db', name: 'pgo-abc', labels: { [KEY]: 'pgo' } },
    spec: { containers: [{ name: 'operator', image: 'reg/postgres-operator:ubi9-6.0.3-0' }] },
  } as unknown as KObject;
  const api = fakeApi({
    lists: { '/apis/apps/v1/deployments': 403, '/apis/apps/v1/namespaces/db/deployments': [], '/api/v1/pods': 403, '/api/v1/namespaces/db/pods': [pod] },
    crd: 403,
  });
  const op = await findOperator(api);
  assert.is(op.version, 'v6.0.3');
  assert.is(op.workloads[0].kind, 'Pod');
  assert.ok(op.notes.some((n) => /cannot list deployments in all namespaces \(Forbidden\); looked in namespace db only/.test(n)));
  assert.ok(op.notes.some((n) => /cannot get the postgresclusters\.postgres-operator\.crunchydata\.com CRD \(Forbidden; ask for: get customresourcedefinitions\.apiextensions\.k8s\.io\)/.test(n)), op.notes.join('\n'));
});

test('findOperator: no operator at all is an answer with a note, other API errors are errors', async () => {
  const none = await findOperator(fakeApi({ lists: {} }));
  assert.is(none.version, undefined);
  assert.ok(none.notes.some((n) => /no Deployment or pod labelled postgres-operator\.crunchydata\.com\/control-plane found/.test(n)));
  try {
    await findOperator(fakeApi({ lists: { '/apis/apps/v1/deployments': 500 } }));
    assert.unreachable('a 500 must not be swallowed');
  } catch (e) {
    assert.instance(e, ApiError);
  }
});

test('the text output names both CLIs and the operator', () => {
  const text = renderText({
    clientVersion: { version: 'v0.1.0', commit: 'abc1234', runtime: { node: 'v24.21.0', singleExecutable: true, platform: 'linux/amd64' } },
    crunchyClient: { path: '/usr/local/bin/kubectl-pgo', version: 'v0.5.2', line: 'Client Version: v0.5.2' },
    operator: { version: 'v5.8.9', source: 'Deployment postgres-operator/pgo', workloads: [{ kind: 'Deployment', namespace: 'postgres-operator', name: 'pgo', image: 'reg/postgres-operator:ubi9-5.8.9-0', version: 'v5.8.9' }], crdVersion: 'v5.8.9', notes: [] },
  });
  assert.is(
    text,
    [
      'Client Version: v0.1.0',
      'Commit: abc1234',
      'Runtime: node v24.21.0 (single executable, linux/amd64)',
      'Crunchy kubectl-pgo: v0.5.2 at /usr/local/bin/kubectl-pgo (runs: backup, create, delete, restore, show, start, stop, support)',
      'Operator Version: v5.8.9 (Deployment postgres-operator/pgo image reg/postgres-operator:ubi9-5.8.9-0)',
      '',
    ].join('\n'),
  );
});

test.run();
