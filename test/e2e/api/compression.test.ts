// LIST answers in gzip from the real kube-apiserver, as kubectl asks for them: the PGO CRDs
// (over the apiserver's 128 KiB threshold) come back compressed, and the client reads the same
// objects with and without --disable-compression. Fails, never skips, when the sandbox is not up.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect } from '../../../lib/kube/connect.ts';
import type { KObject } from '../../../lib/model/types.ts';
import { adminKubeconfigPath, api } from '../../helpers/sandbox.ts';

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const flags = { kubeconfig: adminKubeconfigPath(), allNamespaces: false, color: 'never' as const };
const pgc = (items: KObject[]) => items.find((c) => c.metadata.name === 'postgresclusters.postgres-operator.crunchydata.com');

test('the apiserver gzips a large LIST for a client that asks; our LIST reads it, and reads the same without compression', async () => {
  const raw = await api(`GET`, CRDS, undefined, { acceptEncoding: 'gzip' });
  assert.is(raw.status, 200);
  assert.is(raw.headers['content-encoding'], 'gzip', 'the sandbox apiserver did not compress the CRD list: the test proves nothing');
  const gz = await (await connect(flags)).list(CRDS);
  const plain = await (await connect({ ...flags, disableCompression: true })).list(CRDS);
  assert.ok(pgc(gz.items), 'the PostgresCluster CRD is in the gzip-read list');
  assert.equal(gz.items.map((c) => c.metadata.name).sort(), plain.items.map((c) => c.metadata.name).sort());
  assert.equal(pgc(gz.items)!.spec, pgc(plain.items)!.spec);
});

test.run();
