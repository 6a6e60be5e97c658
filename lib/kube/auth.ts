// Credentials and TLS material of one kubeconfig context, applied with client-go's rules:
// - user credentials (token, tokenFile, basic auth, client certificate, exec plugin) only over TLS;
//   impersonation headers always (clientcmd reads auth info "only if we are secure");
// - a tokenFile wins over an inline token and is re-read once its copy is 50 s old (client-go's
//   cached file token source: period 1 min, leeway 10 s); a failed re-read keeps the last token;
// - an exec plugin only when no token, basic auth or client certificate is configured; its answer
//   is cached until expirationTimestamp, and run again after a 401;
// - a CA together with insecure-skip-tls-verify is refused, with client-go's message;
// - the proxy: proxy-url, else HTTPS_PROXY/HTTP_PROXY/NO_PROXY (proxy-env.ts); tunnels in proxy-tunnel.ts.
// Written here rather than taken from client-node's KubeConfig, whose module graph (generated
// models, proxy and websocket libraries) nearly doubled the start-up time of every call.
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { ExitError } from '../cli/exit.ts';
import type { Credentials } from './client.ts';
import { oneLine } from './errors.ts';
import { checkExecConfig, runExecPlugin, type ExecCluster, type ExecCredentialStatus } from './exec-credential.ts';
import type { ResolvedContext } from './kubeconfig.ts';
import { proxyFor } from './proxy-env.ts';
import { proxyAgent } from './proxy-tunnel.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

export interface AuthOptions {
  env?: NodeJS.ProcessEnv;
  stdinIsTTY?: boolean;
  now?: () => number;
}

/** client-go's cachingTokenSource: a token read from the file is used for period - leeway. */
export const TOKEN_FILE_REREAD_MS = 60_000 - 10_000;
const EXEC_EXTENSION = 'client.authentication.k8s.io/exec';

/**
 * Checks the context (throws kubectl's one-line errors) and returns what a request calls for its
 * credentials: refresh=false gives the current ones (re-reading a token file or re-running an
 * expired exec plugin when due), refresh=true follows a 401.
 */
export function credentialSource(r: ResolvedContext, o: AuthOptions = {}): (refresh: boolean, refused?: Credentials) => Promise<Credentials> {
  const env = o.env ?? process.env;
  const now = o.now ?? Date.now;
  const c = r.cluster;
  const u = r.user;
  const server = serverUrl(c);
  const secure = server.protocol === 'https:';
  const headers: Record<string, string | string[]> = {};
  const tlsOpts: https.AgentOptions = {};

  if (u.as) headers['Impersonate-User'] = String(u.as);
  else if (u['as-uid'] || (Array.isArray(u['as-groups']) && u['as-groups'].length) || (u['as-user-extra'] && Object.keys(u['as-user-extra']).length)) {
    throw new ExitError(`error: requesting uid, groups or user-extra for ${u.name} without impersonating a user`);
  }
  if (u['as-uid']) headers['Impersonate-Uid'] = String(u['as-uid']);
  if (Array.isArray(u['as-groups']) && u['as-groups'].length) headers['Impersonate-Group'] = u['as-groups'].map(String);
  for (const [k, v] of Object.entries((u['as-user-extra'] ?? {}) as Record<string, unknown>)) {
    headers[`Impersonate-Extra-${encodeURIComponent(k)}`] = (Array.isArray(v) ? v : [v]).map(String);
  }
  const execMode = u.exec ? checkExecConfig(u.exec, u.name) : undefined;

  let tokenFile: (() => string | undefined) | undefined;
  let inlineToken: string | undefined;
  let auth: string | undefined;
  let exec: (() => Promise<ExecCredentialStatus>) | undefined;
  let forget: (run: Promise<ExecCredentialStatus> | undefined) => void = () => undefined;
  const runOf = new WeakMap<Credentials, Promise<ExecCredentialStatus>>(); // which plugin run gave these credentials
  if (secure) {
    const ca = material(c['certificate-authority-data'], c['certificate-authority'], 'certificate-authority', `cluster "${c.name}"`);
    if (ca && c['insecure-skip-tls-verify'] === true) throw new ExitError('error: specifying a root certificates file with the insecure flag is not allowed');
    if (ca) tlsOpts.ca = ca;
    if (c['insecure-skip-tls-verify'] === true) tlsOpts.rejectUnauthorized = false;
    if (c['tls-server-name']) tlsOpts.servername = c['tls-server-name'];
    const cert = material(u['client-certificate-data'], u['client-certificate'], 'client-certificate', `user "${u.name}"`);
    const key = material(u['client-key-data'], u['client-key'], 'client-key', `user "${u.name}"`);
    if (cert) tlsOpts.cert = cert;
    if (key) tlsOpts.key = key;

    inlineToken = u.token ? String(u.token) : undefined;
    if (u.tokenFile) tokenFile = cachedFileToken(String(u.tokenFile), u.name, inlineToken, now);
    if (u.username || u.password) auth = `${u.username ?? ''}:${u.password ?? ''}`;
    const provider = u['auth-provider'];
    if (!inlineToken && !tokenFile && provider) inlineToken = authProviderToken(provider, u.name);
    // client-go's exec authenticator steps aside when the config already identifies the user.
    if (u.exec && !inlineToken && !tokenFile && !auth && !cert) {
      const cluster = u.exec.provideClusterInfo ? execCluster(c, ca) : undefined;
      const cached = cachedExec(() => runExecPlugin({ exec: u.exec, user: u.name, mode: execMode!, cluster, env, stdinIsTTY: o.stdinIsTTY ?? Boolean(process.stdin.isTTY) }), now);
      exec = cached.get;
      forget = cached.forget;
    }
  }

  const proxy = proxyFor(server, c['proxy-url'] ? String(c['proxy-url']) : undefined, env);
  if (proxy && !['http:', 'https:', 'socks5:'].includes(proxy.protocol)) {
    const scheme = proxy.protocol.slice(0, -1);
    if (c['proxy-url']) throw new ExitError(`error: invalid 'proxy-url' "${c['proxy-url']}" for cluster "${c.name}": unsupported scheme "${scheme}", must be http, https, or socks5`);
    throw new ExitError(`error: the proxy from the environment (${proxy.host}) has the unsupported scheme "${scheme}"; use http, https or socks5`);
  }
  const agents = new Map<string, http.Agent | undefined>();
  const agentFor = (extra: https.AgentOptions, id: string) => {
    // One TLS context for all of a context's connections (14 at once); Node would build one per connection.
    if (!agents.has(id)) agents.set(id, proxy ? proxyAgent(proxy, !secure, { ...tlsOpts, ...extra }) : secure ? new https.Agent({ ...tlsOpts, ...extra, keepAlive: true, secureContext: tls.createSecureContext({ ...tlsOpts, ...extra }) }) : undefined);
    return agents.get(id);
  };

  return async (refresh, refused) => {
    if (refresh) forget(refused && runOf.get(refused));
    const h = { ...headers };
    let token = tokenFile?.() ?? inlineToken;
    let extra: https.AgentOptions = {};
    let id = '';
    let run: Promise<ExecCredentialStatus> | undefined;
    if (exec) {
      run = exec();
      const cred = await run;
      if (cred.token) token = cred.token;
      if (cred.clientCertificateData && cred.clientKeyData) {
        extra = { cert: cred.clientCertificateData, key: cred.clientKeyData };
        id = cred.clientCertificateData;
      }
    }
    if (token) h.Authorization = `Bearer ${token}`;
    const creds: Credentials = { headers: h, agent: agentFor(extra, id), auth: token ? undefined : auth };
    if (run) runOf.set(creds, run);
    return creds;
  };
}

/** The server URL; without a scheme, https when TLS material is configured (client-go's DefaultServerURL). */
export function serverUrl(c: Raw): URL {
  let s = String(c.server);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    const tlsConfigured = c['certificate-authority'] || c['certificate-authority-data'] || c['insecure-skip-tls-verify'] === true;
    s = `${tlsConfigured ? 'https' : 'http'}://${s}`;
  }
  try {
    return new URL(s);
  } catch {
    throw new ExitError(`error: invalid server "${c.server}" for cluster "${c.name}"`);
  }
}

function material(data: unknown, file: unknown, what: string, owner: string): Buffer | undefined {
  if (typeof data === 'string' && data !== '') return Buffer.from(data, 'base64');
  if (typeof file === 'string' && file !== '') {
    try {
      return readFileSync(file);
    } catch (e) {
      throw new ExitError(`error: reading ${what} of ${owner}: ${oneLine((e as Error).message)}`);
    }
  }
  return undefined;
}

/** The token file read now (an error when it cannot be read and there is no inline token), then again when stale. */
function cachedFileToken(file: string, user: string, fallback: string | undefined, now: () => number): () => string | undefined {
  const read = () => {
    const t = readFileSync(file, 'utf8').trim(); // client-go trims; a newline in a header throws
    if (t === '') throw new Error(`read empty token from file "${file}"`);
    return t;
  };
  let token = fallback;
  let readAt = -Infinity;
  try {
    token = read();
    readAt = now();
  } catch (e) {
    if (fallback === undefined) throw new ExitError(`error: reading the token file of user "${user}": ${oneLine((e as Error).message)}`);
  }
  return () => {
    if (now() - readAt >= TOKEN_FILE_REREAD_MS) {
      try {
        token = read();
        readAt = now();
      } catch {
        // the last token read stays in use, as with client-go
      }
    }
    return token;
  };
}

/** One plugin run shared by concurrent requests; reused until expirationTimestamp; forget() after a 401. */
function cachedExec(run: () => Promise<ExecCredentialStatus>, now: () => number) {
  let pending: Promise<ExecCredentialStatus> | undefined;
  let settled = false;
  let expires = Infinity;
  return {
    get: () => {
      if (pending && settled && now() >= expires) pending = undefined;
      if (!pending) {
        const p = run();
        pending = p;
        settled = false;
        p.then(
          (st) => {
            settled = true;
            expires = st.expirationTimestamp ? Date.parse(st.expirationTimestamp) : Infinity;
          },
          () => {
            if (pending === p) pending = undefined; // a failed run is not cached
          },
        );
      }
      return pending;
    },
    // client-go's maybeRefreshCreds: only when the refused credentials are still the cached ones,
    // so that requests refused together give one new run, not one each.
    forget: (refusedRun: Promise<ExecCredentialStatus> | undefined) => {
      if (settled && (refusedRun === undefined || refusedRun === pending)) pending = undefined;
    },
  };
}

/** spec.cluster of KUBERNETES_EXEC_INFO, as client-go's ConfigToExecCluster fills it. */
function execCluster(c: Raw, ca: Buffer | undefined): ExecCluster {
  const out: ExecCluster = { server: String(c.server) };
  if (c['tls-server-name']) out['tls-server-name'] = String(c['tls-server-name']);
  if (c['insecure-skip-tls-verify'] === true) out['insecure-skip-tls-verify'] = true;
  if (ca) out['certificate-authority-data'] = ca.toString('base64');
  if (c['proxy-url']) out['proxy-url'] = String(c['proxy-url']);
  if (c['disable-compression'] === true) out['disable-compression'] = true;
  const ext = (Array.isArray(c.extensions) ? c.extensions : []).find((e: Raw) => e?.name === EXEC_EXTENSION);
  if (ext && ext.extension !== undefined) out.config = ext.extension;
  return out;
}

function authProviderToken(provider: Raw, user: string): string {
  const name = String(provider.name ?? '');
  const cfg = (provider.config ?? {}) as Raw;
  if (name === 'oidc' && cfg['id-token']) return String(cfg['id-token']);
  const hint: Record<string, string> = {
    gcp: 'use the exec plugin gke-gcloud-auth-plugin',
    azure: 'use the exec plugin kubelogin (Azure/kubelogin)',
    oidc: 'use an exec plugin such as kubelogin (int128/kubelogin), or log in again so the kubeconfig holds an id-token',
  };
  throw new ExitError(`error: user "${user}" uses the auth-provider "${name}", which kubectl no longer supports; ${hint[name] ?? 'use an exec credential plugin'}`);
}
