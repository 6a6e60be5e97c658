// connect(): kubeconfig -> a client that authenticates the way kubectl does (token, token file,
// client certificate, exec plugin), against loopback stub servers with TLS.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../../lib/cli/exit.ts';
import type { GlobalFlags } from '../../../lib/cli/global-flags.ts';
import { connect, parseRequestTimeout } from '../../../lib/kube/connect.ts';
import { NetworkError } from '../../../lib/kube/errors.ts';
import { startConnectProxy } from '../../fixtures/kube/connect-proxy.ts';
import { json, startStub, tempFiles, type Stub } from '../../fixtures/kube/stub-server.ts';

const TLS = resolve(fileURLToPath(import.meta.url), '../../../fixtures/kube/tls');
const pem = (f: string) => readFileSync(join(TLS, f), 'utf8');
const b64 = (f: string) => Buffer.from(pem(f)).toString('base64');

let stub: Stub | undefined;
test.after.each(async () => {
  await stub?.close();
  stub = undefined;
});

const flags = (over: Partial<GlobalFlags> = {}): GlobalFlags => ({ allNamespaces: false, color: 'never', ...over });
const tlsServer = (requestCert = false) =>
  startStub((req, res) => json(res, 200, { auth: req.headers.authorization ?? null, cn: req.clientCN ?? null, imp: req.headers['impersonate-user'] ?? null }), {
    key: pem('server.key'),
    cert: pem('server.crt'),
    ca: pem('ca.crt'),
    requestCert,
    rejectUnauthorized: false,
  });

function kubeconfig(server: string, user: Record<string, unknown>, cluster: Record<string, unknown> = {}, ns?: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'c',
    clusters: [{ name: 'k', cluster: { server, 'certificate-authority-data': b64('ca.crt'), ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'c', context: { cluster: 'k', user: 'u', namespace: ns } }],
  });
}

async function get(cfgText: string, extraFiles: Record<string, string> = {}, f: Partial<GlobalFlags> = {}) {
  const dir = tempFiles({ config: cfgText, ...extraFiles });
  const client = await connect(flags({ kubeconfig: join(dir, 'config'), ...f }));
  return { client, dir, body: await client.request({ method: 'GET', path: '/version' }) };
}

test('bearer token over TLS verified with the cluster CA; namespace from the context', async () => {
  stub = await tlsServer();
  const { client, body } = await get(kubeconfig(stub.url, { token: 'abc', as: 'bob' }, {}, 'team-a'));
  assert.is(body.auth, 'Bearer abc');
  assert.is(body.imp, 'bob');
  assert.is(client.defaultNamespace, 'team-a');
  assert.is(client.context, 'c');
  assert.is(client.server, stub.url);
});

test('token file (trimmed, relative to the kubeconfig) and CA file', async () => {
  stub = await tlsServer();
  const cfg = kubeconfig(stub.url, { tokenFile: 'token' }, { 'certificate-authority-data': undefined, 'certificate-authority': join(TLS, 'ca.crt') });
  const { client, body } = await get(cfg, { token: 'from-file\n' });
  assert.is(body.auth, 'Bearer from-file');
  assert.is(client.defaultNamespace, 'default');
});

test('client certificate and key (files and inline data)', async () => {
  stub = await tlsServer(true);
  const files = await get(kubeconfig(stub.url, { 'client-certificate': join(TLS, 'client.crt'), 'client-key': join(TLS, 'client.key') }));
  assert.is(files.body.cn, 'alice');
  assert.is(files.body.auth, null);
  const inline = await get(kubeconfig(stub.url, { 'client-certificate-data': b64('client.crt'), 'client-key-data': b64('client.key') }));
  assert.is(inline.body.cn, 'alice');
});

test('exec credential plugin: run once for concurrent requests, given KUBERNETES_EXEC_INFO', async () => {
  stub = await tlsServer();
  const dir = tempFiles({
    'get-token': `#!/bin/sh
echo run >> "$(dirname "$0")/runs"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$(dirname "$0")/info"
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-exec-'"$PLUGIN_ARG"'"}}'
`,
    config: kubeconfig(stub.url, { exec: { apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Never', command: './get-token', env: [{ name: 'PLUGIN_ARG', value: 'x1' }] } }),
  });
  const client = await connect(flags({ kubeconfig: join(dir, 'config') }));
  const bodies = await Promise.all([1, 2, 3].map(() => client.request({ method: 'GET', path: '/version' })));
  assert.ok(bodies.every((b) => b.auth === 'Bearer from-exec-x1'), JSON.stringify(bodies));
  assert.is(readFileSync(join(dir, 'runs'), 'utf8').trim().split('\n').length, 1);
  const info = JSON.parse(readFileSync(join(dir, 'info'), 'utf8'));
  assert.is(info.kind, 'ExecCredential');
  assert.is(info.apiVersion, 'client.authentication.k8s.io/v1');
});

test('exec plugin with a client certificate in its ExecCredential', async () => {
  stub = await tlsServer(true);
  const cred = { apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { clientCertificateData: pem('client.crt'), clientKeyData: pem('client.key') } };
  const dir = tempFiles({ 'cred.json': JSON.stringify(cred), 'plugin.sh': '#!/bin/sh\ncat "$(dirname "$0")/cred.json"\n' });
  const cfg = kubeconfig(stub.url, { exec: { apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Never', command: join(dir, 'plugin.sh') } });
  const { body } = await get(cfg);
  assert.is(body.cn, 'alice');
});

test('exec plugin missing or failing: one line', async () => {
  stub = await tlsServer();
  const missing = await get(kubeconfig(stub.url, { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'kpgo-no-such-plugin' } })).catch((e) => e);
  assert.ok(missing instanceof NetworkError);
  assert.is(missing.message, 'error: getting credentials: exec: executable kpgo-no-such-plugin not found');
  const dir = tempFiles({ 'fail.sh': '#!/bin/sh\necho "token expired, run login" >&2\nexit 1\n' });
  const failing = await get(kubeconfig(stub.url, { exec: { apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'IfAvailable', command: join(dir, 'fail.sh') } })).catch((e) => e);
  assert.match(failing.message, /^error: getting credentials: exec plugin .*fail\.sh failed with exit code 1: token expired, run login$/);
});

test('TLS: an unknown CA is refused with one line; insecure-skip-tls-verify accepts it', async () => {
  stub = await tlsServer();
  const bad = await get(kubeconfig(stub.url, { token: 't' }, { 'certificate-authority-data': undefined })).catch((e) => e);
  assert.ok(bad instanceof NetworkError, String(bad));
  assert.is(bad.failure, 'tls');
  assert.match(bad.message, /^error: unable to connect to the server 127\.0\.0\.1:\d+: tls: .*certificate/);
  assert.not.match(bad.message, /\n/);
  const ok = await get(kubeconfig(stub.url, { token: 't' }, { 'certificate-authority-data': undefined, 'insecure-skip-tls-verify': true }));
  assert.is(ok.body.auth, 'Bearer t');
});

test('plain http server (kubectl proxy) and --context', async () => {
  stub = await startStub((req, res) => json(res, 200, { auth: req.headers.authorization ?? null }));
  const cfg = JSON.stringify({
    'current-context': 'other',
    clusters: [{ name: 'p', cluster: { server: stub.url } }],
    contexts: [
      { name: 'proxy', context: { cluster: 'p', namespace: 'db' } },
      { name: 'other', context: { cluster: 'missing' } },
    ],
  });
  const { client, body } = await get(cfg, {}, { context: 'proxy' });
  assert.is(body.auth, null);
  assert.is(client.defaultNamespace, 'db');
  const e = await get(cfg, {}, { context: 'nope' }).catch((x) => x);
  assert.is(e.message, 'error: context "nope" does not exist');
});

test('LISTs ask for gzip as kubectl does; the kubeconfig cluster\'s disable-compression or --disable-compression turns it off', async () => {
  stub = await startStub((req, res) => json(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [] }));
  const cfg = (cluster: Record<string, unknown>) =>
    JSON.stringify({ 'current-context': 'c', clusters: [{ name: 'p', cluster: { server: stub!.url, ...cluster } }], contexts: [{ name: 'c', context: { cluster: 'p' } }] });
  const asked = async (text: string, f: Partial<GlobalFlags> = {}) => {
    const dir = tempFiles({ config: text });
    await (await connect(flags({ kubeconfig: join(dir, 'config'), ...f }))).list('/api/v1/pods');
    return stub!.requests.at(-1)!.headers['accept-encoding'] ?? null;
  };
  assert.is(await asked(cfg({})), 'gzip');
  assert.is(await asked(cfg({ 'disable-compression': true })), null);
  assert.is(await asked(cfg({}), { disableCompression: true }), null);
});

test('KUBECONFIG from the environment, first current-context wins', async () => {
  stub = await startStub((req, res) => json(res, 200, {}));
  const dir = tempFiles({
    a: JSON.stringify({ 'current-context': 'a', contexts: [{ name: 'a', context: { cluster: 'x', namespace: 'from-a' } }], clusters: [{ name: 'x', cluster: { server: stub.url } }] }),
    b: JSON.stringify({ 'current-context': 'b', contexts: [{ name: 'b', context: { cluster: 'x', namespace: 'from-b' } }] }),
  });
  const client = await connect(flags(), { env: { KUBECONFIG: [join(dir, 'missing'), join(dir, 'a'), join(dir, 'b')].join(':') } });
  assert.is(client.context, 'a');
  assert.is(client.defaultNamespace, 'from-a');
});

test('basic auth, impersonation with groups, an oidc id-token (over TLS); legacy auth-providers are a clear error', async () => {
  stub = await startStub((req, res) => json(res, 200, { auth: req.headers.authorization ?? null, groups: req.headers['impersonate-group'] ?? null }), {
    key: pem('server.key'),
    cert: pem('server.crt'),
  });
  const cfg = (user: Record<string, unknown>) =>
    JSON.stringify({
      'current-context': 'p',
      clusters: [{ name: 'p', cluster: { server: stub!.url, 'certificate-authority-data': b64('ca.crt') } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'p', context: { cluster: 'p', user: 'u' } }],
    });
  const basic = await get(cfg({ username: 'dba', password: 's3cret' }));
  assert.is(basic.body.auth, `Basic ${Buffer.from('dba:s3cret').toString('base64')}`);
  const imp = await get(cfg({ token: 't', as: 'alice', 'as-groups': ['dba', 'oncall'] }));
  assert.is(imp.body.groups, 'dba, oncall');
  const oidc = await get(cfg({ 'auth-provider': { name: 'oidc', config: { 'id-token': 'idt' } } }));
  assert.is(oidc.body.auth, 'Bearer idt');
  const gcp = await get(cfg({ 'auth-provider': { name: 'gcp', config: {} } })).catch((e) => e);
  assert.match(gcp.message, /^error: user "u" uses the auth-provider "gcp", which kubectl no longer supports; use the exec plugin gke-gcloud-auth-plugin$/);
});

test('proxy-url: requests tunnel through an HTTP CONNECT proxy', async () => {
  stub = await tlsServer();
  const proxy = await startConnectProxy();
  try {
    const { body } = await get(kubeconfig(stub.url, { token: 'via-proxy' }, { 'proxy-url': proxy.url }));
    assert.is(body.auth, 'Bearer via-proxy');
    assert.equal(proxy.connects.map((c) => c.target), [`127.0.0.1:${stub.port}`]);
    const ftp = await get(kubeconfig(stub.url, { token: 't' }, { 'proxy-url': 'ftp://127.0.0.1:21' })).catch((e) => e);
    assert.is(ftp.message, `error: invalid 'proxy-url' "ftp://127.0.0.1:21" for cluster "k": unsupported scheme "ftp", must be http, https, or socks5`);
  } finally {
    await proxy.close();
  }
});

test('--request-timeout: bare seconds, units, 0 = none; garbage is a usage error', () => {
  assert.is(parseRequestTimeout(undefined), 0);
  assert.is(parseRequestTimeout('0'), 0);
  assert.is(parseRequestTimeout('5'), 5000);
  assert.is(parseRequestTimeout('1s'), 1000);
  assert.is(parseRequestTimeout('2m'), 120_000);
  assert.is(parseRequestTimeout('3h'), 10_800_000);
  assert.throws(() => parseRequestTimeout('soon'), (e: unknown) => e instanceof UsageError && /--request-timeout/.test((e as Error).message));
});

test('--request-timeout applies to requests made through connect()', async () => {
  stub = await startStub(() => undefined);
  const cfg = JSON.stringify({ 'current-context': 'p', clusters: [{ name: 'p', cluster: { server: stub.url } }], contexts: [{ name: 'p', context: { cluster: 'p' } }] });
  const e = await get(cfg, {}, { requestTimeout: '0.2s' }).catch((x) => x);
  assert.ok(e instanceof NetworkError);
  assert.is(e.failure, 'timeout');
});

test.run();
