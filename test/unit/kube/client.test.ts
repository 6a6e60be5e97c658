// The HTTP client against a loopback stub "apiserver" that injects the faults.
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HttpApiClient, parseRetryAfter } from '../../../lib/kube/client.ts';
import { ApiError, NetworkError } from '../../../lib/kube/errors.ts';
import type { WatchEvent } from '../../../lib/kube/api.ts';
import { json, startStub, status, type Handler, type Stub } from '../../fixtures/kube/stub-server.ts';

let stub: Stub | undefined;
test.after.each(async () => {
  await stub?.close();
  stub = undefined;
});

async function client(handler: Handler, extra: { timeoutMs?: number; pageSize?: number; refreshes?: string[] } = {}) {
  stub = await startStub(handler);
  let n = 0;
  return new HttpApiClient({
    server: stub.url + '/',
    context: 'test',
    defaultNamespace: 'default',
    timeoutMs: extra.timeoutMs ?? 2000,
    pageSize: extra.pageSize,
    credentials: async (refresh) => {
      if (refresh) extra.refreshes?.push('refresh');
      return { headers: { Authorization: `Bearer t${n++}` } };
    },
  });
}

const pod = (name: string) => ({ metadata: { name, namespace: 'db' } });

/** A paginating list handler over `names`, honouring limit and continue. */
function pager(names: string[]): Handler {
  return (req, res) => {
    const limit = Number(req.query.get('limit') ?? names.length);
    const start = Number(req.query.get('continue') ?? 0);
    const slice = names.slice(start, start + limit);
    const next = start + limit < names.length ? String(start + limit) : undefined;
    json(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '42', continue: next }, items: slice.map(pod) });
  };
}

test('list follows continue until done, fills kind/apiVersion, counts requests', async () => {
  const names = ['a', 'b', 'c', 'd', 'e'];
  const c = await client(pager(names));
  const r = await c.list('/api/v1/namespaces/db/pods', { labelSelector: 'x', limit: 2 });
  assert.equal(r.items.map((i) => i.metadata.name), names);
  assert.is(r.items[0].kind, 'Pod');
  assert.is(r.items[0].apiVersion, 'v1');
  assert.is(r.resourceVersion, '42');
  assert.is(c.requestCount, 3);
  assert.equal(stub!.requests.map((q) => q.query.get('continue')), [null, '2', '4']);
  assert.ok(stub!.requests.every((q) => q.query.get('labelSelector') === 'x' && q.query.get('limit') === '2'));
  assert.is(stub!.requests[0].headers.authorization, 'Bearer t0');
});

test('default page size is 5000 (a fleet lists in one page per kind)', async () => {
  const c = await client(pager(['a']));
  await c.list('/api/v1/pods');
  assert.is(stub!.requests[0].query.get('limit'), '5000');
});

test('410 Expired on a continue restarts the list once from the start', async () => {
  let first = true;
  const c = await client((req, res) => {
    if (req.query.get('continue') === '2' && first) {
      first = false;
      return status(res, 410, 'Expired', 'The provided continue parameter is too old to display a consistent list result.');
    }
    return pager(['a', 'b', 'c'])(req, res);
  });
  const r = await c.list('/api/v1/pods', { limit: 2 });
  assert.equal(r.items.map((i) => i.metadata.name), ['a', 'b', 'c']);
  assert.equal(stub!.requests.map((q) => q.query.get('continue')), [null, '2', null, '2']);
});

test('410 on continue twice is an error, not an endless loop', async () => {
  const c = await client((req, res) => {
    if (req.query.get('continue')) return status(res, 410, 'Expired', 'too old');
    return pager(['a', 'b', 'c'])(req, res);
  });
  const e = await c.list('/api/v1/pods', { limit: 2 }).catch((x) => x);
  assert.ok(e instanceof ApiError);
  assert.is(e.status, 410);
  assert.is(c.requestCount, 4);
});

test('429 with Retry-After is retried, then succeeds', async () => {
  let n = 0;
  // Retry-After: 0 keeps the test fast; the status is what makes the client retry.
  const c = await client((req, res) => {
    if (n++ < 2) {
      res.writeHead(429, { 'Retry-After': '0', 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ kind: 'Status', reason: 'TooManyRequests', message: 'slow down', code: 429 }));
    }
    json(res, 200, { kind: 'Pod', metadata: { name: 'p' } });
  });
  const p = await c.request({ method: 'GET', path: '/api/v1/namespaces/db/pods/p' });
  assert.is(p.metadata.name, 'p');
  assert.is(c.requestCount, 3);
});

test('429 retries are bounded', async () => {
  const c = await client((req, res) => {
    res.writeHead(429, { 'Retry-After': '0' });
    res.end('{"kind":"Status","reason":"TooManyRequests","message":"storage is busy","code":429}');
  });
  const e = await c.request({ method: 'GET', path: '/api/v1/pods' }).catch((x) => x);
  assert.ok(e instanceof ApiError);
  assert.is(e.message, 'Error from server (TooManyRequests): storage is busy');
  assert.is(c.requestCount, 6);
});

test('500 is not retried without Retry-After and prints as kubectl does', async () => {
  const c = await client((req, res) => status(res, 500, 'InternalError', 'Internal error occurred: etcdserver: leader changed'));
  const e = await c.request({ method: 'GET', path: '/api/v1/pods' }).catch((x) => x);
  assert.ok(e instanceof ApiError);
  assert.is(e.code, 1);
  assert.is(e.message, 'Error from server (InternalError): Internal error occurred: etcdserver: leader changed');
  assert.is(c.requestCount, 1);
});

test('the request timeout ends a request that hangs', async () => {
  const c = await client(() => undefined /* never answers */, { timeoutMs: 150 });
  const t0 = Date.now();
  const e = await c.request({ method: 'GET', path: '/api/v1/pods' }).catch((x) => x);
  assert.ok(e instanceof NetworkError, String(e));
  assert.is(e.failure, 'timeout');
  assert.match(e.message, /^error: the server http:\/\/127\.0\.0\.1:\d+ did not answer GET \/api\/v1\/pods within 150ms/);
  assert.ok(Date.now() - t0 < 1500);
});

test('patch content types, dry run, field manager and force', async () => {
  const c = await client((req, res) => json(res, 200, { metadata: { name: 'x' } }));
  const path = '/apis/postgres-operator.crunchydata.com/v1beta1/namespaces/db/postgresclusters/hippo';
  await c.request({ method: 'PATCH', path, patchType: 'merge', body: { spec: { paused: true } }, query: { dryRun: 'All' } });
  await c.request({ method: 'PATCH', path, patchType: 'json', body: [{ op: 'remove', path: '/spec/patroni/switchover' }] });
  await c.request({ method: 'PATCH', path, patchType: 'apply', body: { apiVersion: 'x', kind: 'PostgresCluster' }, query: { force: true } });
  await c.request({ method: 'PATCH', path, patchType: 'apply', body: {}, query: { fieldManager: 'mine' } });
  await c.request({ method: 'PATCH', path, body: {} });
  const [m, j, a, a2, dflt] = stub!.requests;
  assert.is(m.headers['content-type'], 'application/merge-patch+json');
  assert.is(m.query.get('dryRun'), 'All');
  assert.equal(JSON.parse(m.body), { spec: { paused: true } });
  assert.is(j.headers['content-type'], 'application/json-patch+json');
  assert.is(a.headers['content-type'], 'application/apply-patch+yaml');
  assert.is(a.query.get('fieldManager'), 'kubectl-pgo');
  assert.is(a.query.get('force'), 'true');
  assert.is(a2.query.get('fieldManager'), 'mine');
  assert.is(dflt.headers['content-type'], 'application/merge-patch+json');
  assert.is(m.method, 'PATCH');
});

test('a 401 refreshes the credentials once (expired exec token), then gives kubectl\'s line', async () => {
  const refreshes: string[] = [];
  const c = await client(
    (req, res) => {
      if (req.headers.authorization === 'Bearer t0') return status(res, 401, 'Unauthorized', 'Unauthorized');
      json(res, 200, { ok: true });
    },
    { refreshes },
  );
  assert.equal(await c.request({ method: 'GET', path: '/version' }), { ok: true });
  assert.equal(refreshes, ['refresh']);

  const c2 = await (async () => {
    await stub!.close();
    stub = await startStub((req, res) => status(res, 401, 'Unauthorized', 'Unauthorized'));
    return new HttpApiClient({ server: stub.url, context: 't', defaultNamespace: 'd', timeoutMs: 2000, credentials: async () => ({ headers: {} }) });
  })();
  const e = await c2.request({ method: 'GET', path: '/version' }).catch((x) => x);
  assert.is(e.message, 'error: You must be logged in to the server (Unauthorized)');
  assert.is(c2.requestCount, 2);
});

test('connection refused is kubectl\'s line', async () => {
  const c = await client((req, res) => json(res, 200, {}));
  const port = stub!.port;
  await stub!.close();
  stub = undefined;
  const e = await c.request({ method: 'GET', path: '/version' }).catch((x) => x);
  assert.ok(e instanceof NetworkError);
  assert.is(e.message, `error: the connection to the server 127.0.0.1:${port} was refused - did you specify the right host or port?`);
});

test('watch streams newline-delimited events, split across chunks, until aborted', async () => {
  const c = await client((req, res) => {
    assert.is(req.query.get('watch'), 'true');
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const a = JSON.stringify({ type: 'ADDED', object: pod('a') });
    const b = JSON.stringify({ type: 'MODIFIED', object: pod('b') });
    res.write(a.slice(0, 10));
    setTimeout(() => res.write(a.slice(10) + '\n' + b + '\n'), 20);
    // stays open: the client must stop on abort
  });
  const events: WatchEvent[] = [];
  const ac = new AbortController();
  await c.watch('/api/v1/namespaces/db/pods', { resourceVersion: '5' }, (e) => {
    events.push(e);
    if (events.length === 2) ac.abort();
  }, ac.signal);
  assert.equal(events.map((e) => `${e.type}:${e.object.metadata.name}`), ['ADDED:a', 'MODIFIED:b']);
  assert.is(stub!.requests[0].query.get('resourceVersion'), '5');
});

test('watch ends when the server ends the stream; an error status is thrown', async () => {
  const c = await client((req, res) => {
    res.writeHead(200);
    res.end(JSON.stringify({ type: 'DELETED', object: pod('z') }) + '\n');
  });
  const seen: string[] = [];
  await c.watch('/api/v1/pods', {}, (e) => seen.push(e.type), new AbortController().signal);
  assert.equal(seen, ['DELETED']);
  const c2 = await (async () => {
    await stub!.close();
    stub = await startStub((req, res) => status(res, 403, 'Forbidden', 'pods is forbidden: User "bob" cannot watch resource "pods" in API group "" in the namespace "db"'));
    return new HttpApiClient({ server: stub.url, context: 't', defaultNamespace: 'd', timeoutMs: 2000, credentials: async () => ({ headers: {} }) });
  })();
  const e = await c2.watch('/api/v1/namespaces/db/pods', {}, () => undefined, new AbortController().signal).catch((x) => x);
  assert.ok(e instanceof ApiError);
  assert.is(e.reason, 'Forbidden');
});

test('a LIST asks for gzip and reads a gzip-encoded answer (the apiserver compresses answers over 128 KiB); other requests do not ask', async () => {
  const names = Array.from({ length: 300 }, (_, i) => `pod-${i}`);
  const c = await client((req, res) => {
    const body = JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '7' }, items: names.map(pod) });
    if (req.headers['accept-encoding'] === 'gzip') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      res.end(gzipSync(body));
    } else json(res, 200, { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'one' } });
  });
  const r = await c.list('/api/v1/pods');
  assert.equal(r.items.map((i) => i.metadata.name), names);
  assert.is(r.resourceVersion, '7');
  const one = await c.request({ method: 'GET', path: '/api/v1/namespaces/db/pods/one' });
  assert.is(one.metadata.name, 'one');
  assert.equal(stub!.requests.map((q) => q.headers['accept-encoding'] ?? null), ['gzip', null]);
});

test('a gzip-encoded LIST answer that does not inflate is one clear error, not a crash', async () => {
  const c = await client((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
    res.end(Buffer.concat([gzipSync('{"kind":"PodList","items":[{"metadata":{"name":"a"}}').subarray(0, 20), Buffer.from('not gzip at all')]));
  });
  const e = await c.list('/api/v1/pods').then(() => undefined, (x: unknown) => x);
  assert.instance(e, ApiError);
  assert.match((e as ApiError).message, /^error: the server's gzip-encoded response to GET \/api\/v1\/pods did not inflate: /);
  assert.not.match((e as ApiError).message, /\n/);
});

test('Retry-After: seconds or an HTTP date', () => {
  assert.is(parseRetryAfter('3'), 3000);
  assert.is(parseRetryAfter(undefined), undefined);
  assert.is(parseRetryAfter('soon'), undefined);
  assert.is(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
});

test.run();
