// The sandbox's API client (client-node 1.4.0 underneath) against a loopback stub: the API's JSON
// comes back verbatim (timestamps stay strings, unknown fields stay), each write has the content
// type and query of its kind, a refused request is the API's Status, and one connection serves
// many requests.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiError, Kube, execExit } from '../../../scripts/sandbox/kube/client.ts';

interface Seen { method: string; url: string; type?: string; auth?: string; body: string; socket: number }

async function stub(reply: (s: Seen) => { status: number; body: unknown }) {
  const seen: Seen[] = [];
  const sockets = new Map<object, number>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (!sockets.has(req.socket)) sockets.set(req.socket, sockets.size);
      const s = { method: req.method!, url: req.url!, type: req.headers['content-type'], auth: req.headers.authorization, body, socket: sockets.get(req.socket)! };
      seen.push(s);
      const r = reply(s);
      res.writeHead(r.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser({ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }, { name: 'u', token: 't0k' });
  return { kube: new Kube(kc), seen, close: () => new Promise((r) => server.close(r)) };
}

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { containers: [{ name: 'c', fieldFromTheFuture: 1 }] } };

test('objects are the API JSON as it is, both ways; writes carry their patch type and query', async () => {
  const s = await stub((r) => ({ status: 200, body: r.method === 'GET' ? pod : JSON.parse(r.body) }));
  const got = await s.kube.get('/api/v1/namespaces/db/pods/p');
  assert.equal(got, pod, 'no Date, no field dropped');
  await s.kube.apply('/api/v1/namespaces/db/pods/p', pod, 'postgrescluster-controller');
  await s.kube.mergePatch('/api/v1/namespaces/db/pods/p/status', { status: { phase: 'Running' } }, 'm');
  await s.kube.create('/api/v1/namespaces/db/pods', pod);
  assert.equal(s.seen.map((r) => [r.method, r.url, r.type ?? '']), [
    ['GET', '/api/v1/namespaces/db/pods/p', ''],
    ['PATCH', '/api/v1/namespaces/db/pods/p?fieldManager=postgrescluster-controller&force=true', 'application/apply-patch+yaml'],
    ['PATCH', '/api/v1/namespaces/db/pods/p/status?fieldManager=m', 'application/merge-patch+json'],
    ['POST', '/api/v1/namespaces/db/pods', 'application/json'],
  ]);
  assert.equal(JSON.parse(s.seen[1].body), pod);
  assert.ok(s.seen.every((r) => r.auth === 'Bearer t0k'));
  assert.equal(new Set(s.seen.map((r) => r.socket)).size, 1, 'one keep-alive connection');
  await s.close();
});

test('a refused request is the API Status; 404 is null for getOrNull and success for delete', async () => {
  const s = await stub((r) =>
    r.method === 'PATCH'
      ? { status: 422, body: { kind: 'Status', status: 'Failure', reason: 'Invalid', message: 'Service "hippo-ha" is invalid: spec.ports[0].nodePort: Invalid value: 32000: provided port is already allocated' } }
      : { status: 404, body: { kind: 'Status', status: 'Failure', reason: 'NotFound', message: 'pods "p" not found' } });
  assert.is(await s.kube.getOrNull('/api/v1/namespaces/db/pods/p'), null);
  await s.kube.delete('/api/v1/namespaces/db/pods/p', { uid: 'u1' });
  assert.equal(JSON.parse(s.seen[1].body), { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: 'u1' } });
  try {
    await s.kube.apply('/api/v1/namespaces/db/services/hippo-ha', { metadata: { name: 'hippo-ha' } }, 'm');
    assert.unreachable('expected a 422');
  } catch (e) {
    assert.instance(e, ApiError);
    assert.equal([(e as ApiError).status, (e as ApiError).reason], [422, 'Invalid']);
    assert.match((e as Error).message, /^Service "hippo-ha" is invalid: .*already allocated$/);
  }
  await s.close();
});

test('an exec exit from its Status: success, a NonZeroExitCode cause, else 1 with the message (kwok)', () => {
  assert.equal(execExit({ status: 'Success' }), { code: 0 });
  assert.equal(execExit({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } }), { code: 3 });
  const kwok = 'Internal error occurred: Internal error occurred: error executing command in container: cmd wait: bash -c exit 3: exit status 3';
  assert.equal(execExit({ status: 'Failure', reason: 'InternalError', message: kwok }), { code: 1, message: kwok });
});

test.run();
