// The failure paths the model reproduces from PGO's source beyond the switchover step (see the
// model's README): spec.service with a nodePort on a ClusterIP Service (PGO's own refusal, Warning
// Event MisconfiguredClusterIP, an error without a stack) and a node port the API server refuses
// (the API's message verbatim, wrapped with a stack in reconcilePatroniLeaderLease). Either error
// ends the reconcile before the instance StatefulSets, and the status is still written.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ApiError, type KObj } from '../../../scripts/sandbox/kube/types.ts';
import type { Kube } from '../../../scripts/sandbox/kube/client.ts';
import { Logger } from '../../../scripts/sandbox/operator/model/log.ts';
import { leaderService, leaderServiceError } from '../../../scripts/sandbox/operator/model/objects.ts';
import type { Deps } from '../../../scripts/sandbox/operator/model/reconcile.ts';
import { readCluster } from '../../../scripts/sandbox/operator/model/spec.ts';
import { ENV, FakeKube, reconcileError } from '../../helpers/model-kube.ts';
import { recorded, type Obj } from '../../helpers/operator.ts';

function world(service: Obj, refuse?: FakeKube['refuse']) {
  const kube = new FakeKube(recorded('v5.8.9', 'healthy.yaml'));
  kube.cluster().spec.service = service;
  kube.refuse = refuse;
  const events: Array<{ type: string; reason: string; message: string }> = [];
  const lines: string[] = [];
  const d: Deps = {
    kube: kube as unknown as Kube,
    env: ENV,
    log: new Logger({}, (l) => lines.push(l), true),
    events: { record: async (_o, type, reason, message) => void events.push({ type, reason, message }) },
    rand: () => 0,
    exec: async () => ({ stdout: '[]', stderr: '' }),
  };
  return { kube, d, events, lines };
}

const spec = (service?: Obj) => readCluster({ apiVersion: 'postgres-operator.crunchydata.com/v1beta1', kind: 'PostgresCluster', metadata: { name: 'hippo', namespace: 'db', uid: 'u' }, spec: { postgresVersion: 16, service } } as KObj);

test('leaderServiceError: a nodePort on a ClusterIP Service is refused in PGO\'s words; NodePort/LoadBalancer are not', () => {
  assert.is(leaderServiceError(spec({ type: 'ClusterIP', nodePort: 32000 })), 'NodePort cannot be set with type ClusterIP on Service "hippo-ha"');
  assert.is(leaderServiceError(spec({ nodePort: 32000 })), 'NodePort cannot be set with type ClusterIP on Service "hippo-ha"', 'type defaults to ClusterIP');
  assert.is(leaderServiceError(spec({ type: 'NodePort', nodePort: 32000 })), undefined);
  assert.is(leaderServiceError(spec({ type: 'LoadBalancer' })), undefined);
  assert.is(leaderServiceError(spec()), undefined);
});

test('leaderService: spec.service sets type, node port, traffic policy and metadata; our labels win', () => {
  const s = leaderService(spec({ type: 'NodePort', nodePort: 31234, externalTrafficPolicy: 'Local', metadata: { labels: { team: 'a', 'postgres-operator.crunchydata.com/cluster': 'x' }, annotations: { a: 'b' } } }));
  assert.is(s.spec?.type, 'NodePort');
  assert.equal(s.spec?.ports, [{ name: 'postgres', port: 5432, protocol: 'TCP', targetPort: 'postgres', nodePort: 31234 }]);
  assert.is(s.spec?.externalTrafficPolicy, 'Local');
  assert.is(s.metadata.labels?.team, 'a');
  assert.is(s.metadata.labels?.['postgres-operator.crunchydata.com/cluster'], 'hippo');
  assert.equal(s.metadata.annotations, { a: 'b' });
  assert.equal(leaderService(spec()).spec, { type: 'ClusterIP', ports: [{ name: 'postgres', port: 5432, protocol: 'TCP', targetPort: 'postgres' }] });
});

test('nodePort with type ClusterIP: Warning MisconfiguredClusterIP, the error without file/func, no later step', async () => {
  const { kube, d, events } = world({ type: 'ClusterIP', nodePort: 32000 });
  kube.remove('StatefulSet', 'hippo-instance2-k5cc');
  const e = await reconcileError(d);
  assert.is(e.message, 'NodePort cannot be set with type ClusterIP on Service "hippo-ha"');
  assert.is(e.func, 'postgrescluster.(*Reconciler).reconcilePatroniLeaderLease');
  assert.is(e.origin, undefined, 'fmt.Errorf: PGO logs no file and no func');
  assert.equal(events, [{ type: 'Warning', reason: 'MisconfiguredClusterIP', message: 'NodePort cannot be set with type ClusterIP on Service "hippo-ha"' }]);
  assert.equal(kube.applied('StatefulSet'), [], 'the missing instance is not recreated');
  assert.not.ok(kube.applied('Service').includes('hippo-ha'));
  assert.is(kube.cluster().status.observedGeneration, kube.cluster().metadata.generation, 'status still written');
});

test('a node port the API server refuses: its message verbatim, file/func of the apply in reconcilePatroniLeaderLease', async () => {
  const msg = 'Service "hippo-ha" is invalid: spec.ports[0].nodePort: Invalid value: 31234: provided port is already allocated';
  const { kube, d, events } = world({ type: 'NodePort', nodePort: 31234 }, (p, o) => (o.kind === 'Service' && o.metadata.name === 'hippo-ha' ? new ApiError(422, 'Invalid', msg) : undefined));
  kube.remove('StatefulSet', 'hippo-instance2-k5cc');
  const e = await reconcileError(d);
  assert.is(e.message, msg);
  assert.equal(e.origin, { file: 'internal/controller/postgrescluster/patroni.go:302', func: 'postgrescluster.(*Reconciler).reconcilePatroniLeaderLease' });
  assert.equal(events, [], 'PGO emits no Event here');
  assert.equal(kube.applied('StatefulSet'), []);
  assert.ok(kube.applied('Service').includes('hippo-pods'), 'the steps before it ran');
});

test.run();
