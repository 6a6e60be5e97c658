// The pgBackRest TLS Secrets the model makes: the keys PGO's pod volumes project, a client
// certificate the servers' tls-server-auth (pgbackrest@<cluster UID>) accepts, server
// certificates for the pods' DNS names, all from one root; kept once made.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { X509Certificate } from 'node:crypto';
import { instanceCertificates, pgbackrestSecret, rootCertificate } from '../../../scripts/sandbox/operator/model/certificates.ts';
import type { Kube } from '../../../scripts/sandbox/kube/client.ts';
import { readCluster } from '../../../scripts/sandbox/operator/model/spec.ts';
import { FakeKube } from '../../helpers/model-kube.ts';
import { find, recorded } from '../../helpers/operator.ts';

const items = recorded('v5.8.9', 'healthy.yaml');
const c = readCluster(find(items, 'PostgresCluster', 'hippo'));
const secretData = (kube: FakeKube, name: string) =>
  Object.fromEntries(Object.entries(kube.store.get(`/api/v1/namespaces/db/secrets/${name}`).data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));

test('root, <cluster>-pgbackrest and <instance>-certs: PGO\'s keys, names and trust', async () => {
  const kube = new FakeKube(items);
  const k = kube as unknown as Kube;
  const root = await rootCertificate(k, c);
  await pgbackrestSecret(k, c, root);
  await instanceCertificates(k, c, 'hippo-instance1-hcjs', root);
  const ca = new X509Certificate(root.crt);
  const pb = secretData(kube, 'hippo-pgbackrest');
  assert.equal(Object.keys(pb).sort(), ['pgbackrest-client.crt', 'pgbackrest-client.key', 'pgbackrest-repo-host.crt', 'pgbackrest-repo-host.key', 'pgbackrest.ca-roots']);
  const client = new X509Certificate(pb['pgbackrest-client.crt']);
  assert.is(client.subject, `CN=pgbackrest@${c.uid}`);
  assert.ok(client.verify(ca.publicKey), 'signed by the root');
  const repoHost = new X509Certificate(pb['pgbackrest-repo-host.crt']);
  assert.match(repoHost.subjectAltName ?? '', /DNS:hippo-repo-host-0\.hippo-pods\.db\.svc\.cluster\.local\./);
  const inst = secretData(kube, 'hippo-instance1-hcjs-certs');
  const server = new X509Certificate(inst['pgbackrest-server.crt']);
  assert.match(server.subjectAltName ?? '', /DNS:hippo-instance1-hcjs-0\.hippo-pods\.db\.svc\.cluster\.local(,|$)/);
  assert.ok(server.verify(ca.publicKey));
  assert.is(kube.store.get('/api/v1/namespaces/db/secrets/hippo-pgbackrest').metadata.ownerReferences[0].uid, c.uid);

  const writes = kube.writes.length;
  await pgbackrestSecret(k, c, await rootCertificate(k, c));
  assert.is(kube.writes.length, writes, 'kept: nothing written again');
});

test.run();
