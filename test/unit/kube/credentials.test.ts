// kubectl's credential rules (client-go v0.36: tools/clientcmd, rest, transport,
// plugin/pkg/client/auth/exec), each against loopback stub servers. The README's matrix
// "kubectl's credential rules" names these tests.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import type { GlobalFlags } from '../../../lib/cli/global-flags.ts';
import { globalFlagsOf, withGlobalFlags } from '../../../lib/cli/global-flags.ts';
import { flagsFromWords } from '../../../lib/completion/complete.ts';
import { globalFlagSpecs } from '../../../lib/completion/spec.ts';
import { firstVerb } from '../../../lib/passthrough/decide.ts';
import { credentialSource, TOKEN_FILE_REREAD_MS } from '../../../lib/kube/auth.ts';
import { connect } from '../../../lib/kube/connect.ts';
import { inClusterContext } from '../../../lib/kube/in-cluster.ts';
import type { ResolvedContext } from '../../../lib/kube/kubeconfig.ts';
import { startConnectProxy, startSocks5Proxy, type ConnectProxy } from '../../fixtures/kube/connect-proxy.ts';
import { json, startStub, status, tempFiles, type Handler, type Stub } from '../../fixtures/kube/stub-server.ts';

const TLS = resolve(fileURLToPath(import.meta.url), '../../../fixtures/kube/tls');
const pem = (f: string) => readFileSync(join(TLS, f), 'utf8');
const b64 = (f: string) => Buffer.from(pem(f)).toString('base64');
const V1 = 'client.authentication.k8s.io/v1';

let stub: Stub | undefined;
let proxy: ConnectProxy | undefined;
const closers: Array<() => Promise<void> | void> = [];
test.after.each(async () => {
  await stub?.close();
  await proxy?.close();
  for (const c of closers.splice(0)) await c();
  stub = undefined;
  proxy = undefined;
});

const echo: Handler = (req, res) =>
  json(res, 200, {
    auth: req.headers.authorization ?? null,
    user: req.headers['impersonate-user'] ?? null,
    groups: req.headers['impersonate-group'] ?? null,
    uid: req.headers['impersonate-uid'] ?? null,
  });
const tlsStub = (h: Handler = echo) => startStub(h, { key: pem('server.key'), cert: pem('server.crt') });
const flags = (over: Partial<GlobalFlags> = {}): GlobalFlags => ({ allNamespaces: false, color: 'never', ...over });

interface Cfg {
  cluster?: Record<string, unknown>;
  user?: Record<string, unknown>;
  server?: string;
  more?: Record<string, unknown>;
}
function kubeconfig(c: Cfg): string {
  return JSON.stringify({
    'current-context': 'c',
    clusters: [{ name: 'k', cluster: { server: c.server ?? stub!.url, 'certificate-authority-data': b64('ca.crt'), ...c.cluster } }],
    users: [{ name: 'u', user: c.user ?? {} }],
    contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
    ...c.more,
  });
}
async function call(cfg: string, o: { files?: Record<string, string>; flags?: Partial<GlobalFlags>; env?: NodeJS.ProcessEnv; tty?: boolean } = {}) {
  const dir = tempFiles({ config: cfg, ...o.files });
  const client = await connect(flags({ ...o.flags, kubeconfig: join(dir, 'config') }), { env: { HTTPS_PROXY: '', https_proxy: '', NO_PROXY: '', no_proxy: '', ...o.env }, stdinIsTTY: o.tty ?? false });
  return { dir, client, body: await client.request({ method: 'GET', path: '/version' }) };
}
const failure = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => {
      throw new Error('expected an error, got none');
    },
    (e: Error) => e.message,
  );

/** A plugin script that records each run and its KUBERNETES_EXEC_INFO, and prints `status`. */
function plugin(dir: string, statusJson: string, apiVersion = V1): string {
  const path = join(dir, 'plugin.sh');
  writeFileSync(
    path,
    `#!/bin/sh\necho run >> "${dir}/runs"\nprintf '%s' "$KUBERNETES_EXEC_INFO" > "${dir}/info"\n[ -t 0 ] && echo tty > "${dir}/stdin" || echo none > "${dir}/stdin"\necho '{"apiVersion":"${apiVersion}","kind":"ExecCredential","status":${statusJson}}'\n`,
    { mode: 0o755 },
  );
  return path;
}
const runs = (dir: string) => (existsSync(join(dir, 'runs')) ? readFileSync(join(dir, 'runs'), 'utf8').trim().split('\n').length : 0);

// --- 1. no credentials over plain http ---------------------------------------------------------

test('http:// server: no token, token file, basic auth or exec plugin is used; impersonation still is', async () => {
  stub = await startStub(echo);
  const dir = tempFiles({ token: 'file-token' });
  const execDir = tempFiles({});
  for (const user of [
    { token: 'inline' },
    { tokenFile: join(dir, 'token') },
    { username: 'dba', password: 's3cret' },
    { exec: { apiVersion: V1, interactiveMode: 'Never', command: plugin(execDir, '{"token":"from-exec"}') } },
  ]) {
    const { body } = await call(kubeconfig({ user: { ...user, as: 'alice' }, cluster: { 'certificate-authority-data': undefined } }));
    assert.is(body.auth, null, JSON.stringify(user));
    assert.is(body.user, 'alice');
  }
  assert.is(runs(execDir), 0, 'the plugin is not even run');
  const flagToken = await call(kubeconfig({ cluster: { 'certificate-authority-data': undefined } }), { flags: { token: 'flag' } });
  assert.is(flagToken.body.auth, null, '--token over http is not sent either');
});

// --- 2. proxies from the environment, proxy-url first, CONNECT -----------------------------------

test('HTTPS_PROXY: requests tunnel with CONNECT to the server name, with the proxy URL basic auth', async () => {
  stub = await tlsStub();
  proxy = await startConnectProxy({ hosts: { 'kube.test': '127.0.0.1' }, requireAuth: `Basic ${Buffer.from('me:p@ss').toString('base64')}` });
  const server = `https://kube.test:${stub.port}`;
  const cfg = kubeconfig({ server, user: { token: 't' }, cluster: { 'tls-server-name': 'localhost' } });
  const { body } = await call(cfg, { env: { HTTPS_PROXY: `http://me:p%40ss@127.0.0.1:${proxy.port}` } });
  assert.is(body.auth, 'Bearer t');
  assert.equal(proxy.connects[0], { target: `kube.test:${stub.port}`, auth: `Basic ${Buffer.from('me:p@ss').toString('base64')}` });
  const lower = await call(cfg, { env: { https_proxy: `http://me:p%40ss@127.0.0.1:${proxy.port}` } });
  assert.is(lower.body.auth, 'Bearer t');
  assert.is(proxy.connects.length, 2);
  const refused = await failure(call(cfg, { env: { HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` } }));
  assert.match(refused, /refused CONNECT to kube\.test:\d+: HTTP 407/);
});

test('HTTP_PROXY for a plain http server: the request goes to the proxy with its absolute URL (no tunnel), still without credentials', async () => {
  stub = await startStub(echo);
  proxy = await startConnectProxy({ hosts: { 'kube.test': '127.0.0.1' } });
  const cfg = kubeconfig({ server: `http://kube.test:${stub.port}`, user: { token: 'never-sent', as: 'alice' }, cluster: { 'certificate-authority-data': undefined } });
  const { body } = await call(cfg, { env: { HTTP_PROXY: `http://me:pw@127.0.0.1:${proxy.port}` } });
  assert.equal([body.auth, body.user], [null, 'alice']);
  assert.equal(proxy.connects, [{ target: `http://kube.test:${stub.port}/version`, auth: `Basic ${Buffer.from('me:pw').toString('base64')}` }]);
});

test('NO_PROXY bypasses the proxy (here the name then does not resolve: no tunnel was asked for)', async () => {
  stub = await tlsStub();
  proxy = await startConnectProxy({ hosts: { 'kube.test': '127.0.0.1' } });
  const cfg = kubeconfig({ server: `https://api.kube.test:${stub.port}`, user: { token: 't' }, cluster: { 'tls-server-name': 'localhost' } });
  const e = await failure(call(cfg, { env: { HTTPS_PROXY: proxy.url, NO_PROXY: '10.0.0.0/8,.kube.test' } }));
  assert.match(e, /api\.kube\.test/);
  assert.is(proxy.connects.length, 0);
});

test('proxy-url wins over HTTPS_PROXY; an IPv6 server is a bracketed CONNECT target', async () => {
  const server = https.createServer({ key: pem('server.key'), cert: pem('server.crt') }, (req, res) => echo({ headers: req.headers } as never, res));
  await new Promise<void>((r) => server.listen(0, '::1', r));
  closers.push(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  const port = (server.address() as net.AddressInfo).port;
  proxy = await startConnectProxy();
  const cfg = kubeconfig({ server: `https://[::1]:${port}`, user: { token: 'v6' }, cluster: { 'tls-server-name': 'localhost', 'proxy-url': proxy.url } });
  const { body } = await call(cfg, { env: { HTTPS_PROXY: 'http://127.0.0.1:1' } });
  assert.is(body.auth, 'Bearer v6');
  assert.equal(proxy.connects.map((c) => c.target), [`[::1]:${port}`]);
});

test('a socks5:// proxy-url: the host name is sent to the proxy (resolved there), user/password from the URL', async () => {
  stub = await tlsStub();
  proxy = await startSocks5Proxy({ auth: { user: 'me', pass: 'p@ss' }, hosts: { 'kube.test': '127.0.0.1' } });
  const cfg = kubeconfig({ server: `https://kube.test:${stub.port}`, user: { token: 's5' }, cluster: { 'tls-server-name': 'localhost', 'proxy-url': `socks5://me:p%40ss@127.0.0.1:${proxy.port}` } });
  assert.is((await call(cfg)).body.auth, 'Bearer s5');
  assert.equal(proxy.connects[0], { target: `kube.test:${stub.port}`, auth: 'me:p@ss' });
  const wrong = kubeconfig({ server: `https://kube.test:${stub.port}`, user: { token: 's5' }, cluster: { 'tls-server-name': 'localhost', 'proxy-url': `socks5://me:nope@127.0.0.1:${proxy.port}` } });
  assert.match(await failure(call(wrong)), /socks5 proxy 127\.0\.0\.1:\d+: username\/password authentication failed/);
});

// --- 3. token and tokenFile ----------------------------------------------------------------------

test('token and tokenFile both set: the file wins; `token-file` is not a kubeconfig key', async () => {
  stub = await tlsStub();
  const both = await call(kubeconfig({ user: { token: 'inline', tokenFile: 'tok' } }), { files: { tok: 'from-file\n' } });
  assert.is(both.body.auth, 'Bearer from-file');
  const unreadable = await call(kubeconfig({ user: { token: 'inline', tokenFile: 'missing' } }));
  assert.is(unreadable.body.auth, 'Bearer inline', 'an unreadable file falls back to the inline token');
  const wrongKey = await call(kubeconfig({ user: { 'token-file': 'tok' } }), { files: { tok: 'x' } });
  assert.is(wrongKey.body.auth, null);
  const alone = await failure(call(kubeconfig({ user: { tokenFile: 'missing' } })));
  assert.match(alone, /^error: reading the token file of user "u": .*no such file/);
});

test('the token file is re-read once its copy is 50 s old (period 1 min, leeway 10 s); a failed re-read keeps the last token', async () => {
  assert.is(TOKEN_FILE_REREAD_MS, 50_000);
  const dir = tempFiles({ tok: 'one' });
  let now = 1_000_000;
  const r: ResolvedContext = { contextName: 'c', namespace: 'default', cluster: { name: 'k', server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true }, user: { name: 'u', tokenFile: join(dir, 'tok') } };
  const creds = credentialSource(r, { env: {}, now: () => now });
  const token = async () => (await creds(false)).headers.Authorization;
  assert.is(await token(), 'Bearer one');
  writeFileSync(join(dir, 'tok'), 'two');
  now += 49_000;
  assert.is(await token(), 'Bearer one');
  now += 1_000;
  assert.is(await token(), 'Bearer two');
  rmSync(join(dir, 'tok'));
  now += 60_000;
  assert.is(await token(), 'Bearer two');
});

// --- 4. CA + insecure ------------------------------------------------------------------------------

test("a CA together with insecure-skip-tls-verify is refused with client-go's message; the flags clear each other as kubectl's do", async () => {
  stub = await tlsStub();
  const both = kubeconfig({ user: { token: 't' }, cluster: { 'insecure-skip-tls-verify': true } });
  assert.is(await failure(call(both)), 'error: specifying a root certificates file with the insecure flag is not allowed');
  const withFile = kubeconfig({ user: { token: 't' }, cluster: { 'certificate-authority-data': undefined, 'certificate-authority': join(TLS, 'ca.crt'), 'insecure-skip-tls-verify': true } });
  assert.is(await failure(call(withFile)), 'error: specifying a root certificates file with the insecure flag is not allowed');
  // --insecure-skip-tls-verify drops the kubeconfig's CA; --certificate-authority drops its insecure flag
  const ca = kubeconfig({ user: { token: 't' } });
  assert.is((await call(ca, { flags: { insecureSkipTlsVerify: true } })).body.auth, 'Bearer t');
  const insecure = kubeconfig({ user: { token: 't' }, cluster: { 'certificate-authority-data': undefined, 'insecure-skip-tls-verify': true } });
  assert.is((await call(insecure, { flags: { certificateAuthority: join(TLS, 'ca.crt') } })).body.auth, 'Bearer t');
  const wrongCa = await failure(call(insecure, { flags: { certificateAuthority: join(TLS, 'client.crt') } }));
  assert.match(wrongCa, /certificate/, 'the CA given by the flag is really used');
});

// --- 5. exec plugins -------------------------------------------------------------------------------

test('exec interactiveMode: required in v1, defaulted in v1beta1, checked; stdin only when interactive', async () => {
  stub = await tlsStub();
  const dir = tempFiles({});
  const cmd = plugin(dir, '{"token":"x"}');
  assert.is(await failure(call(kubeconfig({ user: { exec: { apiVersion: V1, command: cmd } } }))), 'error: interactiveMode must be specified for u to use exec authentication plugin');
  assert.is(await failure(call(kubeconfig({ user: { exec: { apiVersion: V1, command: cmd, interactiveMode: 'Sometimes' } } }))), 'error: invalid interactiveMode for u: "Sometimes"');
  assert.is(
    await failure(call(kubeconfig({ user: { exec: { apiVersion: 'client.authentication.k8s.io/v1alpha1', command: cmd } } }))),
    'error: exec plugin: invalid apiVersion "client.authentication.k8s.io/v1alpha1"',
  );
  const always = await failure(call(kubeconfig({ user: { exec: { apiVersion: V1, command: cmd, interactiveMode: 'Always' } } }), { tty: false }));
  assert.is(always, 'error: getting credentials: exec plugin cannot support interactive mode: standard input is not a terminal');
  const info = () => JSON.parse(readFileSync(join(dir, 'info'), 'utf8')).spec.interactive;
  await call(kubeconfig({ user: { exec: { apiVersion: V1, command: cmd, interactiveMode: 'IfAvailable' } } }), { tty: true });
  assert.is(info(), true);
  await call(kubeconfig({ user: { exec: { apiVersion: V1, command: cmd, interactiveMode: 'Never' } } }), { tty: true });
  assert.is(info(), false);
  assert.is(readFileSync(join(dir, 'stdin'), 'utf8').trim(), 'none', 'a non-interactive plugin gets no stdin');
  const beta = plugin(dir, '{"token":"b"}', 'client.authentication.k8s.io/v1beta1');
  const b = await call(kubeconfig({ user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: beta } } }), { tty: false });
  assert.is(b.body.auth, 'Bearer b');
  assert.is(info(), false);
  const mismatch = await failure(call(kubeconfig({ user: { exec: { apiVersion: V1, interactiveMode: 'Never', command: beta } } })));
  assert.is(mismatch, `error: getting credentials: exec plugin is configured to use API version ${V1}, plugin returned version client.authentication.k8s.io/v1beta1`);
});

test('exec provideClusterInfo: server, tls-server-name, insecure, CA data, proxy-url and the exec extension as config', async () => {
  stub = await tlsStub();
  proxy = await startConnectProxy();
  const dir = tempFiles({});
  const cmd = plugin(dir, '{"token":"x"}');
  const exec = { apiVersion: V1, interactiveMode: 'Never', command: cmd, provideClusterInfo: true };
  const cluster = { 'tls-server-name': 'localhost', 'proxy-url': proxy.url, extensions: [{ name: 'client.authentication.k8s.io/exec', extension: { audience: 'prod' } }, { name: 'other', extension: 1 }] };
  await call(kubeconfig({ user: { exec }, cluster }));
  const info = JSON.parse(readFileSync(join(dir, 'info'), 'utf8'));
  assert.equal(info.spec.cluster, {
    server: stub.url,
    'tls-server-name': 'localhost',
    'certificate-authority-data': b64('ca.crt'),
    'proxy-url': proxy.url,
    config: { audience: 'prod' },
  });
  await call(kubeconfig({ user: { exec }, cluster: { 'certificate-authority-data': undefined, 'insecure-skip-tls-verify': true } }));
  const insecure = JSON.parse(readFileSync(join(dir, 'info'), 'utf8'));
  assert.equal(insecure.spec.cluster, { server: stub.url, 'insecure-skip-tls-verify': true });
  await call(kubeconfig({ user: { exec: { ...exec, provideClusterInfo: false } } }));
  assert.is(JSON.parse(readFileSync(join(dir, 'info'), 'utf8')).spec.cluster, undefined);
});

test('exec credentials are cached until expirationTimestamp, then the plugin runs again', async () => {
  const dir = tempFiles({});
  let now = Date.parse('2026-01-01T00:00:00Z');
  const exp = '2026-01-01T00:10:00Z';
  const r: ResolvedContext = {
    contextName: 'c',
    namespace: 'default',
    cluster: { name: 'k', server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true },
    user: { name: 'u', exec: { apiVersion: V1, interactiveMode: 'Never', command: plugin(dir, `{"token":"t","expirationTimestamp":"${exp}"}`) } },
  };
  const creds = credentialSource(r, { env: {}, now: () => now, stdinIsTTY: false });
  await Promise.all([creds(false), creds(false), creds(false)]);
  assert.is(runs(dir), 1, 'concurrent requests share one run');
  now = Date.parse('2026-01-01T00:09:59Z');
  await creds(false);
  assert.is(runs(dir), 1);
  now = Date.parse('2026-01-01T00:10:01Z');
  await creds(false);
  assert.is(runs(dir), 2);
});

test('a 401 runs the plugin again and retries, for requests and for a watch (status --watch)', async () => {
  const dir = tempFiles({ n: '0' });
  // each run hands out the next token; the server only takes t2 and later
  const cmd = join(dir, 'plugin.sh');
  writeFileSync(cmd, `#!/bin/sh\nn=$(($(cat "${dir}/n") + 1)); echo $n > "${dir}/n"\necho '{"apiVersion":"${V1}","kind":"ExecCredential","status":{"token":"t'$n'"}}'\n`, { mode: 0o755 });
  let accept = 2;
  stub = await tlsStub((req, res) => {
    const n = Number(String(req.headers.authorization).replace('Bearer t', ''));
    if (n < accept) return status(res, 401, 'Unauthorized', 'Unauthorized');
    if (req.query.get('watch') === 'true') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ type: 'ADDED', object: { metadata: { name: `seen-with-t${n}` } } }) + '\n');
      return;
    }
    json(res, 200, { auth: req.headers.authorization });
  });
  const { client, body } = await call(kubeconfig({ user: { exec: { apiVersion: V1, interactiveMode: 'Never', command: cmd } } }));
  assert.is(body.auth, 'Bearer t2');
  accept = 3; // t2 expires: five requests refused together give one new run, not five
  const bodies = await Promise.all([1, 2, 3, 4, 5].map(() => client.request({ method: 'GET', path: '/version' })));
  assert.ok(bodies.every((b) => b.auth === 'Bearer t3'), JSON.stringify(bodies));
  assert.is(readFileSync(join(dir, 'n'), 'utf8').trim(), '3');
  accept = 4; // and again while we watch
  const seen: string[] = [];
  await client.watch('/api/v1/pods', {}, (e) => seen.push(String(e.object?.metadata?.name)), new AbortController().signal);
  assert.equal(seen, ['seen-with-t4']);
});

test('an exec plugin steps aside when the user already has a token (--token), basic auth or a certificate', async () => {
  stub = await tlsStub();
  const dir = tempFiles({});
  const exec = { apiVersion: V1, interactiveMode: 'Never', command: plugin(dir, '{"token":"from-exec"}') };
  assert.is((await call(kubeconfig({ user: { exec } }), { flags: { token: 'flag' } })).body.auth, 'Bearer flag');
  assert.is((await call(kubeconfig({ user: { exec, username: 'a', password: 'b' } }))).body.auth, `Basic ${Buffer.from('a:b').toString('base64')}`);
  assert.is(runs(dir), 0);
  assert.is((await call(kubeconfig({ user: { exec } }))).body.auth, 'Bearer from-exec');
});

// --- 6. in-cluster ---------------------------------------------------------------------------------

test('no kubeconfig, KUBERNETES_SERVICE_HOST/PORT and a service account: https, its CA, its token, its namespace', async () => {
  stub = await tlsStub();
  const sa = tempFiles({ token: 'sa-token\n', 'ca.crt': pem('ca.crt'), namespace: 'jobs\n' });
  const home = tempFiles({});
  const env = { HOME: home, KUBECONFIG: '', KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(stub.port) };
  const client = await connect(flags(), { env, serviceAccountDir: sa });
  assert.is(client.server, `https://127.0.0.1:${stub.port}`);
  assert.is(client.defaultNamespace, 'jobs');
  assert.is((await client.request({ method: 'GET', path: '/version' })).auth, 'Bearer sa-token');
  assert.is((await connect(flags(), { env: { ...env, POD_NAMESPACE: 'from-downward-api' }, serviceAccountDir: sa })).defaultNamespace, 'from-downward-api');
  const withToken = await connect(flags({ token: 'flag-token' }), { env, serviceAccountDir: sa });
  assert.is((await withToken.request({ method: 'GET', path: '/version' })).auth, 'Bearer flag-token');
  const v6 = inClusterContext({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, {}, sa);
  assert.is(v6.cluster.server, 'https://[fd00::1]:443', 'an IPv6 service host in brackets (net.JoinHostPort)');
  // not in a pod: the usual error
  const outside = await failure(connect(flags(), { env: { ...env, KUBERNETES_SERVICE_PORT: '' }, serviceAccountDir: sa }));
  assert.match(outside, /^error: no kubeconfig found/);
  // a kubeconfig, when there is one, wins
  const dir = tempFiles({ config: kubeconfig({ user: { token: 'kc' } }) });
  const kc = await connect(flags(), { env: { ...env, KUBECONFIG: join(dir, 'config') }, serviceAccountDir: sa });
  assert.is((await kc.request({ method: 'GET', path: '/version' })).auth, 'Bearer kc');
});

// --- 7. kubectl's global flags ---------------------------------------------------------------------

test('--as, --as-group (repeatable), --as-uid become Impersonate-* headers; groups without --as are refused', async () => {
  stub = await tlsStub();
  let positional: unknown;
  const argv = await withGlobalFlags(yargs(['status', '--as', 'alice', '--as-group', 'dba', 'hippo', '--as-group=oncall', '--as-uid', '42']))
    .command('status [CLUSTER]', 'x', (y) => y.positional('CLUSTER', { type: 'string' }), (a) => void (positional = a.CLUSTER))
    .parse();
  const f = globalFlagsOf(argv);
  assert.equal([f.as, f.asGroups, f.asUid, positional], ['alice', ['dba', 'oncall'], '42', 'hippo'], 'one value per --as-group; the cluster name is not a group');
  assert.equal(globalFlagsOf(await withGlobalFlags(yargs(['--as-group', 'one'])).parse()).asGroups, ['one']);
  const { body } = await call(kubeconfig({ user: { token: 't', as: 'kubeconfig-user' } }), { flags: f });
  assert.equal(body, { auth: 'Bearer t', user: 'alice', groups: 'dba, oncall', uid: '42' });
  assert.is(await failure(call(kubeconfig({ user: { token: 't' } }), { flags: { asGroups: ['dba'] } })), 'error: requesting uid, groups or user-extra for u without impersonating a user');
});

test('--disable-compression is a boolean global flag (the word after it stays the cluster), off unless given', async () => {
  let positional: unknown;
  const argv = await withGlobalFlags(yargs(['status', '--disable-compression', 'hippo']))
    .command('status [CLUSTER]', 'x', (y) => y.positional('CLUSTER', { type: 'string' }), (a) => void (positional = a.CLUSTER))
    .parse();
  assert.equal([globalFlagsOf(argv).disableCompression, positional], [true, 'hippo']);
  assert.is(globalFlagsOf(await withGlobalFlags(yargs(['status'])).parse()).disableCompression, undefined);
  assert.is(globalFlagsOf(await withGlobalFlags(yargs(['--disable-compression=false'])).parse()).disableCompression, undefined);
});

test('--user, --cluster, --server, --token pick and override what the context says', async () => {
  stub = await tlsStub();
  const other = await tlsStub();
  closers.push(() => other.close());
  const cfg = kubeconfig({
    user: { token: 'context-user' },
    more: {
      clusters: [
        { name: 'k', cluster: { server: stub.url, 'certificate-authority-data': b64('ca.crt') } },
        { name: 'k2', cluster: { server: other.url, 'certificate-authority-data': b64('ca.crt'), 'tls-server-name': 'wrong.example' } },
      ],
      users: [
        { name: 'u', user: { token: 'context-user' } },
        { name: 'ops', user: { token: 'ops-token' } },
      ],
    },
  });
  assert.is((await call(cfg, { flags: { user: 'ops' } })).body.auth, 'Bearer ops-token');
  const byCluster = await call(cfg, { flags: { cluster: 'k2', server: other.url } });
  assert.is(byCluster.client.server, other.url, '--server drops the tls-server-name of the cluster (it would not verify here)');
  assert.is((await call(cfg, { flags: { server: other.url, token: 'flag' } })).body.auth, 'Bearer flag');
  assert.is(other.requests.length, 2);
  assert.is(await failure(call(cfg, { flags: { user: 'nobody' } })), 'error: auth info "nobody" does not exist');
  assert.is(await failure(call(cfg, { flags: { cluster: 'nowhere' } })), 'error: cluster "nowhere" does not exist');
  // --server with no kubeconfig at all
  const home = tempFiles({});
  const bare = await connect(flags({ server: stub.url, insecureSkipTlsVerify: true, token: 'bare' }), { env: { HOME: home, KUBECONFIG: '' } });
  assert.is((await bare.request({ method: 'GET', path: '/version' })).auth, 'Bearer bare');
});

test('every value-taking global flag is skipped with its value when the verb is looked for (routing and completion)', () => {
  for (const f of globalFlagSpecs().filter((x) => x.takesValue)) {
    for (const name of f.names) assert.is(firstVerb([name, 'alice', 'status', 'hippo']), 'status', name);
  }
});

test('completion reads the same connection flags from the words typed', () => {
  const f = flagsFromWords(['--server', 'https://x:6443', '--token=t', '--as', 'alice', '--as-group', 'a', '--as-group=b', '--as-uid', '7', '--user', 'ops', '--cluster', 'k2', '--insecure-skip-tls-verify', '--certificate-authority', '/ca', 'status']);
  assert.equal(
    [f.server, f.token, f.as, f.asGroups, f.asUid, f.user, f.cluster, f.insecureSkipTlsVerify, f.certificateAuthority],
    ['https://x:6443', 't', 'alice', ['a', 'b'], '7', 'ops', 'k2', true, '/ca'],
  );
});

test.run();
