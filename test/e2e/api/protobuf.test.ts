// status reads pods, StatefulSets, PVCs, Endpoints, Services and the PostgresCluster CRD in
// protobuf (lib/kube/pb-schema.ts). Against the real kube-apiserver: its protobuf, decoded, is
// exactly its JSON through the projection made from the same messages - for the recorded
// operator's objects (a healthy cluster and the incident) and for a pod and a StatefulSet whose
// status holds what those do not (negative exit codes, pointers set to zero, UTF-8, null times) -
// with gzip and without; an error in protobuf reads as the same error in JSON; discovery reads
// the same CRD facts. Fails, never skips, when the sandbox is not up.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ApiClient } from '../../../lib/kube/api.ts';
import { connect } from '../../../lib/kube/connect.ts';
import { discoverPgo, PGC_CRD } from '../../../lib/kube/discovery.ts';
import { ApiError } from '../../../lib/kube/errors.ts';
import { STATUS_PROJECTIONS, statusListOptions } from '../../../lib/kube/status-lists.ts';
import { LABEL, type KObject } from '../../../lib/model/types.ts';
import { makeWorld, type World } from '../../helpers/e2e-api.ts';
import { TEST_NODE } from '../../helpers/pgo-cluster.ts';
import { readRules, userWithRules } from '../../helpers/rbac.ts';
import { adminKubeconfigPath, apiOk } from '../../helpers/sandbox.ts';

const LISTS = {
  pods: '/api/v1',
  statefulSets: '/apis/apps/v1',
  pvcs: '/api/v1',
  endpoints: '/api/v1',
  services: '/api/v1',
} as const;
const RESOURCE: Record<keyof typeof LISTS, string> = { pods: 'pods', statefulSets: 'statefulsets', pvcs: 'persistentvolumeclaims', endpoints: 'endpoints', services: 'services' };
const flags = (kubeconfig: string, disableCompression = false) => ({ kubeconfig, allNamespaces: false, color: 'never' as const, disableCompression });

let world: World;
let ns = '';
let setup: Promise<void> | undefined;
const ready = () => (setup ??= prepare());

async function prepare(): Promise<void> {
  try {
    await (await connect(flags(adminKubeconfigPath()))).request({ method: 'GET', path: '/version' });
  } catch (e) {
    throw new Error(`the sandbox API server is not reachable (${(e as Error).message}); start it with: npm run sandbox -- up`);
  }
  world = await makeWorld('pb');
  ns = await world.namespace('pb');
  await world.cluster(ns, 'hippo');
  await world.cluster(ns, 'ledger', { incident: true });
  await edgeObjects(ns);
}

/** A pod and a StatefulSet of cluster "edge" whose fields the recorded ones leave at their usual values. */
async function edgeObjects(namespace: string): Promise<void> {
  const labels = { [LABEL.cluster]: 'edge', [LABEL.instance]: 'edge-instance1-zz99' };
  const merge = { contentType: 'application/merge-patch+json' };
  await apiOk('POST', `/api/v1/namespaces/${namespace}/pods`, {
    metadata: { name: 'edge-instance1-zz99-0', labels, annotations: { 'example.com/note': 'cödé ✓ "quoted"\n' }, finalizers: ['example.com/keep'] },
    spec: {
      nodeName: TEST_NODE,
      containers: [{ name: 'database', image: 'postgres:16', env: [{ name: 'PGDATA', value: '/pgdata' }] }],
      initContainers: [{ name: 'postgres-startup', image: 'postgres:16' }],
      // The finalizer keeps nothing from going: it is removed before the namespace is deleted.
      terminationGracePeriodSeconds: 0,
    },
  });
  const t = '2026-11-25T17:00:00Z';
  await apiOk('PATCH', `/api/v1/namespaces/${namespace}/pods/edge-instance1-zz99-0/status`, {
    status: {
      phase: 'Running', message: 'mëssage', reason: 'Evicted?', hostIP: '10.0.0.9', hostIPs: [{ ip: '10.0.0.9' }], podIP: '10.1.0.9', podIPs: [{ ip: '10.1.0.9' }],
      startTime: t, qosClass: 'BestEffort',
      conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [database]', lastTransitionTime: t, lastProbeTime: null }],
      initContainerStatuses: [{ name: 'postgres-startup', ready: true, restartCount: 0, image: 'postgres:16', imageID: 'sha256:1', containerID: 'containerd://a', state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: t, finishedAt: t } } }],
      containerStatuses: [{
        name: 'database', ready: false, started: false, restartCount: 7, image: 'postgres:16', imageID: '',
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s ✓' } },
        lastState: { terminated: { exitCode: -1, signal: 9, reason: 'Error', message: 'killed', startedAt: t, finishedAt: t, containerID: 'containerd://b' } },
      }],
    },
  }, merge);
  await apiOk('POST', `/apis/apps/v1/namespaces/${namespace}/statefulsets`, {
    metadata: { name: 'edge-instance1-zz99', labels },
    spec: { replicas: 0, serviceName: 'edge-pods', selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'database', image: 'postgres:16' }] } } },
  });
  await apiOk('PATCH', `/apis/apps/v1/namespaces/${namespace}/statefulsets/edge-instance1-zz99/status`, {
    status: { replicas: 0, observedGeneration: 1, collisionCount: 0, availableReplicas: 0, currentRevision: 'edge-1', conditions: [{ type: 'Stuck', status: 'Unknown', lastTransitionTime: t }] },
  }, merge);
}

async function listBoth(client: ApiClient, list: keyof typeof LISTS, namespace: string) {
  const path = `${LISTS[list]}/namespaces/${namespace}/${RESOURCE[list]}`;
  const pb = await client.list(path, {}, statusListOptions(list));
  const json = await client.list(path, {}, { projection: STATUS_PROJECTIONS[list] });
  return { pb, json };
}

test('every projected list, with gzip and without: protobuf decoded is the JSON projected, object for object', async () => {
  await ready();
  for (const disableCompression of [false, true]) {
    const client = await connect(flags(adminKubeconfigPath(), disableCompression));
    for (const list of Object.keys(LISTS) as Array<keyof typeof LISTS>) {
      const { pb, json } = await listBoth(client, list, ns);
      assert.is(pb.encoding, 'protobuf', `${list}: the API server did not answer in protobuf`);
      assert.is(json.encoding, 'json');
      assert.ok(pb.items.length >= (list === 'endpoints' ? 2 : 3), `${list}: ${pb.items.length} objects - the test proves little`);
      assert.equal(pb.items, json.items, `${list}, compression ${!disableCompression}`);
      for (const o of pb.items) assert.ok(o.kind && o.apiVersion, `${list}: ${o.metadata.name} has no kind or apiVersion`);
    }
  }
});

test('the edge pod and StatefulSet read as they were written', async () => {
  await ready();
  const client = await connect(flags(adminKubeconfigPath()));
  const pod = (await listBoth(client, 'pods', ns)).pb.items.find((p) => p.metadata.name === 'edge-instance1-zz99-0') as KObject;
  assert.equal(pod.spec, { containers: [{ name: 'database', image: 'postgres:16' }], nodeName: TEST_NODE, initContainers: [{ name: 'postgres-startup', image: 'postgres:16' }] });
  assert.is(pod.metadata.annotations?.['example.com/note'], 'cödé ✓ "quoted"\n');
  const cs = pod.status.containerStatuses[0];
  assert.equal([cs.started, cs.restartCount, cs.lastState.terminated.exitCode, cs.lastState.terminated.signal, cs.state.waiting.message], [false, 7, -1, 9, 'back-off 5m0s ✓']);
  assert.is(pod.status.conditions[0].lastProbeTime, null);
  const sts = (await listBoth(client, 'statefulSets', ns)).pb.items.find((s) => s.metadata.name === 'edge-instance1-zz99') as KObject;
  assert.equal(sts.spec, { replicas: 0 });
  assert.is(sts.status.collisionCount, 0);
});

test('an error answered in protobuf reads as the same error answered in JSON', async () => {
  await ready();
  const user = await userWithRules('pb', { namespaceRules: { [ns]: readRules(['pods']) } });
  try {
    const client = await connect(flags(user.kubeconfig));
    const path = `/api/v1/namespaces/${ns}/pods`;
    const failure = (p: Promise<unknown>) => p.then(() => assert.unreachable('the LIST was allowed'), (e: unknown) => e);
    const pb = await failure(client.list(path, {}, statusListOptions('pods')));
    const json = await failure(client.list(path, {}, { projection: STATUS_PROJECTIONS.pods }));
    assert.instance(pb, ApiError);
    assert.is((pb as ApiError).status, 403);
    assert.is((pb as ApiError).message, (json as ApiError).message);
    assert.match((pb as ApiError).message, /^Error from server \(Forbidden\): pods is forbidden: User ".*" cannot list resource "pods"/);
  } finally {
    await user.cleanup();
  }
});

test('discovery reads the CRD in protobuf: the same served versions and release label as its JSON says', async () => {
  await ready();
  const client = await connect(flags(adminKubeconfigPath()));
  const crd = await apiOk<KObject>('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${PGC_CRD}`);
  const served = crd.spec.versions.filter((v: { served: boolean }) => v.served).map((v: { name: string }) => v.name);
  const found = await discoverPgo(client);
  assert.equal([...found.apiVersions].sort(), [...served].sort());
  assert.is(found.crdVersion, crd.metadata.labels?.['app.kubernetes.io/version'] || undefined);
});

test.after(async () => {
  if (!world) return;
  await apiOk('PATCH', `/api/v1/namespaces/${ns}/pods/edge-instance1-zz99-0`, { metadata: { finalizers: null } }, { contentType: 'application/merge-patch+json' }).catch(() => undefined);
  await world.cleanup();
});

test.run();
