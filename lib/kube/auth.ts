// Credentials and TLS material of one kubeconfig context, as client-go applies them: CA, client
// certificate, bearer token (inline or file), basic auth, impersonation, exec credential plugins,
// proxy-url. Written here rather than taken from client-node's KubeConfig, whose module graph
// (generated models, proxy and websocket libraries) nearly doubled the start-up time of every call.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { ExitError } from '../cli/exit.ts';
import type { Credentials } from './client.ts';
import { NetworkError, oneLine } from './errors.ts';
import type { ResolvedContext } from './kubeconfig.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

export interface ExecCredentialStatus {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expirationTimestamp?: string;
}

/** Everything a request needs to authenticate; exec plugins run here (once per call). */
export async function credentialsFor(r: ResolvedContext, env: NodeJS.ProcessEnv = process.env): Promise<Credentials> {
  const c = r.cluster;
  const u = r.user;
  const server = String(c.server);
  const headers: Record<string, string | string[]> = {};
  const tlsOpts: https.AgentOptions = {};

  const ca = material(c['certificate-authority-data'], c['certificate-authority'], 'certificate-authority', `cluster "${c.name}"`);
  if (ca) tlsOpts.ca = ca;
  if (c['insecure-skip-tls-verify'] === true) tlsOpts.rejectUnauthorized = false;
  if (c['tls-server-name']) tlsOpts.servername = c['tls-server-name'];
  const cert = material(u['client-certificate-data'], u['client-certificate'], 'client-certificate', `user "${u.name}"`);
  const key = material(u['client-key-data'], u['client-key'], 'client-key', `user "${u.name}"`);
  if (cert) tlsOpts.cert = cert;
  if (key) tlsOpts.key = key;

  let token: string | undefined = u.token || undefined;
  const tokenFile = u.tokenFile ?? u['token-file'];
  if (!token && tokenFile) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim(); // client-go trims; a newline in a header throws
    } catch (e) {
      throw new ExitError(`error: reading the token file of user "${u.name}": ${oneLine((e as Error).message)}`);
    }
  }
  const provider = u['auth-provider'];
  if (!token && provider) token = authProviderToken(provider, u.name);
  if (u.exec) {
    const cred = await runExecPlugin(u.exec, u.name, server, env);
    if (cred.token) token = cred.token;
    if (cred.clientCertificateData && cred.clientKeyData) {
      tlsOpts.cert = cred.clientCertificateData;
      tlsOpts.key = cred.clientKeyData;
    }
  }
  if (token) headers.Authorization = `Bearer ${token}`;
  let auth: string | undefined;
  if (!token && u.username) auth = `${u.username}:${u.password ?? ''}`;

  if (u.as) headers['Impersonate-User'] = String(u.as);
  if (u['as-uid']) headers['Impersonate-Uid'] = String(u['as-uid']);
  if (Array.isArray(u['as-groups']) && u['as-groups'].length) headers['Impersonate-Group'] = u['as-groups'].map(String);
  for (const [k, v] of Object.entries((u['as-user-extra'] ?? {}) as Record<string, unknown>)) {
    headers[`Impersonate-Extra-${encodeURIComponent(k)}`] = (Array.isArray(v) ? v : [v]).map(String);
  }

  const isHttp = server.startsWith('http:');
  const proxy = c['proxy-url'] ? String(c['proxy-url']) : undefined;
  let agent: http.Agent | undefined;
  if (proxy) agent = proxyAgent(proxy, isHttp, tlsOpts, c.name);
  else if (!isHttp) agent = new https.Agent({ ...tlsOpts, keepAlive: true });
  return { headers, agent, auth };
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

/** Runs a client.authentication.k8s.io exec plugin the way client-go does. */
export function runExecPlugin(exec: Raw, user: string, server: string, env: NodeJS.ProcessEnv = process.env): Promise<ExecCredentialStatus> {
  const command = String(exec.command ?? '');
  if (!command) return Promise.reject(new ExitError(`error: user "${user}": exec plugin without a command`));
  const apiVersion = String(exec.apiVersion ?? 'client.authentication.k8s.io/v1');
  const interactive = exec.interactiveMode !== 'Never' && Boolean(process.stdin.isTTY);
  const info: Raw = { apiVersion, kind: 'ExecCredential', spec: { interactive } };
  if (exec.provideClusterInfo) info.spec.cluster = { server };
  const childEnv: NodeJS.ProcessEnv = { ...env, KUBERNETES_EXEC_INFO: JSON.stringify(info) };
  for (const e of (exec.env ?? []) as Array<{ name: string; value: string }>) childEnv[e.name] = e.value;
  const args = Array.isArray(exec.args) ? exec.args.map(String) : [];

  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    // stderr goes to the user as well: plugins print login prompts and warnings there.
    const child = spawn(command, args, { env: childEnv, stdio: [interactive ? 'inherit' : 'ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      process.stderr.write(d);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      const hint = exec.installHint ? ` (${oneLine(String(exec.installHint))})` : '';
      reject(
        e.code === 'ENOENT'
          ? new NetworkError(`error: getting credentials: exec: executable ${command} not found${hint}`, 'credentials')
          : new NetworkError(`error: getting credentials: exec: ${command}: ${oneLine(e.message)}`, 'credentials'),
      );
    });
    child.on('close', (code) => {
      if (code !== 0) {
        const last = err.trim().split('\n').pop() ?? '';
        reject(new NetworkError(`error: getting credentials: exec plugin ${command} failed with exit code ${code}${last ? `: ${oneLine(last)}` : ''}`, 'credentials'));
        return;
      }
      let cred: { kind?: string; status?: ExecCredentialStatus };
      try {
        cred = JSON.parse(out);
      } catch {
        reject(new NetworkError(`error: getting credentials: exec plugin ${command} did not print an ExecCredential (not JSON)`, 'credentials'));
        return;
      }
      const st = cred?.status;
      if (cred?.kind !== 'ExecCredential' || !st || (!st.token && !(st.clientCertificateData && st.clientKeyData))) {
        reject(new NetworkError(`error: getting credentials: exec plugin ${command} printed no token and no client certificate`, 'credentials'));
        return;
      }
      resolve(st);
    });
  });
}

/** An agent that reaches the server through an HTTP proxy (CONNECT for https servers). */
function proxyAgent(proxyUrl: string, serverIsHttp: boolean, tlsOpts: https.AgentOptions, cluster: string): http.Agent {
  let proxy: URL;
  try {
    proxy = new URL(proxyUrl);
  } catch {
    throw new ExitError(`error: invalid proxy-url "${proxyUrl}" for cluster "${cluster}"`);
  }
  if (proxy.protocol !== 'http:') {
    throw new ExitError(`error: proxy-url "${proxyUrl}" of cluster "${cluster}": only http:// proxies are supported`);
  }
  const proxyAuth = proxy.username ? `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}` : undefined;
  const AgentClass = serverIsHttp ? http.Agent : https.Agent;
  const agent = new AgentClass({ ...tlsOpts, keepAlive: true });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  (agent as any).createConnection = (opts: any, cb: (err: Error | null, s?: net.Socket) => void) => {
    const req = http.request({
      host: proxy.hostname,
      port: Number(proxy.port || 80),
      method: 'CONNECT',
      path: `${opts.host}:${opts.port}`,
      headers: { Host: `${opts.host}:${opts.port}`, ...(proxyAuth ? { 'Proxy-Authorization': proxyAuth } : {}) },
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        cb(Object.assign(new Error(`proxy ${proxy.host} refused CONNECT: HTTP ${res.statusCode}`), { code: 'EPROXY' }));
        return;
      }
      if (serverIsHttp) return cb(null, socket);
      const secure = tls.connect({ ...tlsOpts, socket, servername: tlsOpts.servername ?? (net.isIP(opts.host) ? undefined : opts.host) } as tls.ConnectionOptions);
      secure.once('secureConnect', () => cb(null, secure));
      secure.once('error', (e) => cb(e));
    });
    req.once('error', (e) => cb(e));
    req.end();
    return undefined;
  };
  return agent;
}
