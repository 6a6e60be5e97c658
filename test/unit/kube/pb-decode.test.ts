// The protobuf readers on bytes written field by field (test/helpers/pb-write.ts): wire types,
// varints (Go's ten-byte negatives), Go's JSON rules for what protobuf leaves implicit, the list
// envelope cut at every byte, and what is refused. That the schemas' field numbers are the API
// server's is held by test/e2e/api/protobuf.test.ts, against the real one.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeAt, PbError } from '../../../lib/kube/pb-decode.ts';
import { objectOf, statusText } from '../../../lib/kube/pb-envelope.ts';
import { ProtoListDecoder } from '../../../lib/kube/pb-list-decoder.ts';
import { CRD_VERSIONS, METADATA_ONLY, POD, STATEFUL_SET } from '../../../lib/kube/pb-schema.ts';
import { bytes, entry, envelope, fixed32, fixed64, int, msg, str, time, varint } from '../../helpers/pb-write.ts';

const decode = (raw: Buffer, m = POD) => decodeAt(raw, 0, raw.length, m);

const META = msg(1, str(1, 'hippo-instance1-abcd-0'), str(3, 'db'), str(5, 'uid-1'), str(6, '42'), int(7, 3), time(8, '2026-11-25T17:00:00Z'),
  entry(11, 'postgres-operator.crunchydata.com/role', 'master'), entry(12, 'status', '{"role":"master","xlog_location":12}'),
  msg(13, str(1, 'StatefulSet'), str(3, 'hippo-instance1-abcd'), str(4, 'uid-0'), str(5, 'apps/v1'), int(6, true), int(7, true)),
  str(14, 'kubernetes.io/pvc-protection'),
  msg(17, str(1, 'postgres-operator'), str(2, 'Apply'), str(3, 'v1'), time(4, '2026-11-25T17:00:01Z'), str(6, 'FieldsV1'), msg(7, str(1, '{"f:spec":{}}'))));

test('a pod: metadata whole but fieldsV1, spec only nodeName and the containers\' names and images, status as JSON has it', () => {
  const pod = Buffer.concat([
    META,
    msg(2, msg(1, str(1, 'pgdata'), msg(2, str(1, 'x'))), msg(2, str(1, 'database'), str(2, 'postgres:16'), str(3, '/bin/sh'), msg(7, str(1, 'PGDATA'), str(2, '/pgdata'))),
      str(3, 'Always'), str(10, 'node-1'), msg(20, str(1, 'postgres-startup'), str(2, 'postgres:16'))),
    msg(3, str(1, 'Running'), msg(2, str(1, 'Ready'), str(2, 'True'), time(3), time(4, '2026-11-25T17:00:05Z'), str(5, ''), str(6, '')),
      str(3, ''), str(5, '10.0.0.1'), str(6, '10.1.0.7'), time(7, '2026-11-25T17:00:02Z'),
      msg(8, str(1, 'database'), msg(2, msg(2, time(1, '2026-11-25T17:00:03Z'))),
        msg(3, msg(3, int(1, -1), int(2, 0), str(3, 'Error'), str(4, 'ünïcödé ✓'), time(5), time(6, '2026-11-25T16:59:00Z'), str(7, ''))),
        int(4, true), int(5, 2), str(6, 'postgres:16'), str(7, ''), str(8, 'containerd://1'), int(9, false)),
      str(9, 'Burstable'), msg(12, str(1, '10.1.0.7')), msg(16, str(1, '10.0.0.1')), int(17, 0)),
  ]);
  assert.equal(decode(pod), {
    metadata: {
      name: 'hippo-instance1-abcd-0', namespace: 'db', uid: 'uid-1', resourceVersion: '42', generation: 3, creationTimestamp: '2026-11-25T17:00:00Z',
      labels: { 'postgres-operator.crunchydata.com/role': 'master' }, annotations: { status: '{"role":"master","xlog_location":12}' },
      ownerReferences: [{ kind: 'StatefulSet', name: 'hippo-instance1-abcd', uid: 'uid-0', apiVersion: 'apps/v1', controller: true, blockOwnerDeletion: true }],
      finalizers: ['kubernetes.io/pvc-protection'],
      managedFields: [{ manager: 'postgres-operator', operation: 'Apply', apiVersion: 'v1', time: '2026-11-25T17:00:01Z', fieldsType: 'FieldsV1' }],
    },
    spec: { containers: [{ name: 'database', image: 'postgres:16' }], nodeName: 'node-1', initContainers: [{ name: 'postgres-startup', image: 'postgres:16' }] },
    status: {
      phase: 'Running',
      // lastProbeTime: a zero metav1.Time, which Go's JSON writes as null; empty reason/message: omitempty.
      conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-11-25T17:00:05Z' }],
      hostIP: '10.0.0.1', podIP: '10.1.0.7', startTime: '2026-11-25T17:00:02Z',
      containerStatuses: [{
        name: 'database',
        state: { running: { startedAt: '2026-11-25T17:00:03Z' } },
        lastState: { terminated: { exitCode: -1, reason: 'Error', message: 'ünïcödé ✓', startedAt: null, finishedAt: '2026-11-25T16:59:00Z' } },
        // imageID "" is written (no omitempty); started false is a pointer that is set.
        ready: true, restartCount: 2, image: 'postgres:16', imageID: '', containerID: 'containerd://1', started: false,
      }],
      qosClass: 'Burstable', podIPs: [{ ip: '10.1.0.7' }], hostIPs: [{ ip: '10.0.0.1' }],
    },
  });
});

test('fields Go always writes are filled in when protobuf leaves them out; pointers only when set', () => {
  // A StatefulSet with no spec, no status and metadata of a name only.
  assert.equal(decode(msg(1, str(1, 's')), STATEFUL_SET), { metadata: { name: 's' }, spec: {}, status: { replicas: 0, availableReplicas: 0 } });
  // replicas: 0 and collisionCount: 0 are pointers set to zero - written, unlike observedGeneration 0 (omitempty).
  const sts = Buffer.concat([msg(1, str(1, 's')), msg(2, int(1, 0)), msg(3, int(1, 0), int(2, 1), int(9, 0), int(11, 1))]);
  assert.equal(decode(sts, STATEFUL_SET), { metadata: { name: 's' }, spec: { replicas: 0 }, status: { replicas: 1, collisionCount: 0, availableReplicas: 1 } });
  // An empty container state and a container status with nothing set.
  const pod = msg(3, msg(8, msg(2)));
  assert.equal(decode(pod).status, { containerStatuses: [{ name: '', state: {}, lastState: {}, ready: false, restartCount: 0, image: '', imageID: '' }] });
  // The zero creationTimestamp is omitted (omitzero); containers without omitempty read as null.
  assert.equal(decode(msg(1, time(8)), POD), { metadata: {}, spec: { containers: null }, status: {} });
  // The epoch is a time (seconds 0 written), not the zero time.
  assert.equal(decode(msg(1, msg(8, int(1, 0))), POD).metadata, { creationTimestamp: '1970-01-01T00:00:00Z' });
});

test('unknown fields of every wire type are skipped; varints of every length; a key named __proto__ stays a key', () => {
  const big = 2 ** 40 + 5;
  const raw = Buffer.concat([
    int(99, 7), fixed64(98), fixed32(97), str(96, 'x'.repeat(300)), msg(1, str(1, 'n'), int(7, big), int(10, -30), entry(11, '__proto__', 'v'), msg(50, int(1, 1))),
  ]);
  const o = decode(raw, METADATA_ONLY);
  const meta = o.metadata as Record<string, unknown>;
  assert.is(meta.generation, big);
  assert.is(meta.deletionGracePeriodSeconds, -30);
  assert.ok(Object.hasOwn(meta.labels as object, '__proto__'));
  assert.is(Object.getPrototypeOf(meta.labels), Object.prototype);
  assert.is(Object.keys(o).join(), 'metadata');
});

test('broken messages are refused with a PbError: truncated values, lengths past the end, groups, ten-byte-plus varints', () => {
  const bad = [
    int(1, 5).subarray(0, 1),
    Buffer.concat([varint(1 * 8 + 2), varint(10), Buffer.from('abc')]),
    Buffer.from([0x0b]), // a group
    Buffer.concat([varint(7 * 8), Buffer.alloc(10, 0xff), Buffer.from([1])]),
    msg(3, msg(8, bytes(2, Buffer.from([0x0a, 0x05])))), // a state whose "waiting" claims 5 bytes it does not have
  ];
  for (const b of bad) assert.throws(() => decode(Buffer.concat([msg(1, str(1, 'p')), b])), (e: unknown) => e instanceof PbError, b.toString('hex'));
});

function listBody(items: Buffer[], meta = msg(1, str(2, '777'), str(3, 'next-page'))): Buffer {
  return envelope('v1', 'PodList', Buffer.concat([meta, ...items.map((i) => bytes(2, i))]));
}
const ITEMS = [0, 1, 2].map((i) => Buffer.concat([msg(1, str(1, `p${i}`), str(3, 'db')), msg(2, str(10, `n${i}`), bytes(1, Buffer.alloc(3000 * i, 9))), msg(3, str(1, 'Running'))]));

test('a list in protobuf, cut at every byte: the items, apiVersion, kind and list metadata', () => {
  const body = listBody(ITEMS);
  const want = { apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '777', continue: 'next-page' }, items: ITEMS.map((i) => decode(i)) };
  for (let cut = 0; cut <= body.length; cut += cut < 200 ? 1 : 97) {
    const d = new ProtoListDecoder(POD);
    d.push(body.subarray(0, cut));
    d.push(body.subarray(cut));
    assert.equal(d.end(), want, `cut at ${cut}`);
  }
});

test('a list in random chunks gives the same; an empty list has no items', () => {
  const body = listBody(ITEMS);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { maxLength: 40 }), (sizes) => {
      const d = new ProtoListDecoder(POD);
      let at = 0;
      for (const s of sizes) d.push(body.subarray(at, (at += s)));
      d.push(body.subarray(at));
      assert.is((d.end().items as unknown[]).length, 3);
    }),
    { numRuns: 200, seed: 20261202 },
  );
  const empty = new ProtoListDecoder(POD);
  empty.push(listBody([], msg(1, str(2, '9'))));
  assert.equal(empty.end(), { apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '9' }, items: [] });
});

test('a list that ends early, is not protobuf or comes in a content encoding is refused', () => {
  const body = listBody(ITEMS);
  for (const cut of [0, 3, 10, body.length - 1]) {
    const d = new ProtoListDecoder(POD);
    d.push(body.subarray(0, cut));
    assert.throws(() => d.end(), /ended early/, `cut at ${cut}`);
  }
  assert.throws(() => new ProtoListDecoder(POD).push(Buffer.from('{"kind":"PodList"}')), /not a Kubernetes protobuf/);
  // An envelope that holds no list is not an empty list.
  const noList = new ProtoListDecoder(POD);
  noList.push(Buffer.concat([Buffer.from('k8s\0', 'latin1'), msg(1, str(1, 'v1'), str(2, 'PodList'))]));
  assert.throws(() => noList.end(), /ended early/);
  assert.throws(() => new ProtoListDecoder(POD).push(envelope('v1', 'PodList', Buffer.alloc(0), 'gzip')), /content encoding "gzip"/);
});

test('one object (the CRD) and an error Status in protobuf', () => {
  const crd = envelope('apiextensions.k8s.io/v1', 'CustomResourceDefinition', Buffer.concat([
    msg(1, str(1, 'postgresclusters.postgres-operator.crunchydata.com'), entry(11, 'app.kubernetes.io/version', '5.8.9')),
    msg(2, str(1, 'postgres-operator.crunchydata.com'), msg(7, str(1, 'v1beta1'), int(2, true), int(3, true), msg(4, str(1, 'x'.repeat(5000)))), msg(7, str(1, 'v1'), int(2, false))),
  ]));
  assert.equal(objectOf(crd, CRD_VERSIONS), {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: 'postgresclusters.postgres-operator.crunchydata.com', labels: { 'app.kubernetes.io/version': '5.8.9' } },
    spec: { versions: [{ name: 'v1beta1', served: true }, { name: 'v1', served: false }] },
  });
  const status = envelope('v1', 'Status', Buffer.concat([msg(1), str(2, 'Failure'), str(3, 'pods is forbidden: User "ann" cannot list resource "pods"'), str(4, 'Forbidden'), msg(5, str(3, 'pods')), int(6, 403)]));
  assert.equal(JSON.parse(statusText(status)), {
    apiVersion: 'v1', kind: 'Status', status: 'Failure', message: 'pods is forbidden: User "ann" cannot list resource "pods"', reason: 'Forbidden', details: { kind: 'pods' }, code: 403,
  });
  // Not a Status after all: its bytes as text, for the line that reports the failure.
  assert.is(statusText(Buffer.from('upstream connect error')), 'upstream connect error');
});

test.run();
