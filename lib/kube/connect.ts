// Kubeconfig -> ApiClient, with kubectl's rules (owner: kube helper).
// client-node's KubeConfig is used only for what it does well (TLS material, tokens, exec and
// auth-provider plugins), fed with one context we picked ourselves (see kubeconfig.ts for why).
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import type { Cluster, User } from '@kubernetes/client-node';
import { parseDuration } from '../cli/duration.ts';
import { ExitError } from '../cli/exit.ts';
import type { GlobalFlags } from '../cli/global-flags.ts';
import type { ApiClient } from './api.ts';
import { HttpApiClient, type Credentials } from './client.ts';
import { NetworkError, oneLine } from './errors.ts';
import { kubeconfigPaths, loadKubeconfig, resolveContext, type ResolvedContext } from './kubeconfig.ts';

export interface ConnectOptions {
  env?: NodeJS.ProcessEnv;
  pageSize?: number;
}

export async function connect(flags: GlobalFlags, options: ConnectOptions = {}): Promise<ApiClient> {
  const { paths, explicit } = kubeconfigPaths(flags.kubeconfig, options.env ?? process.env);
  const resolved = resolveContext(loadKubeconfig(paths, explicit), flags.context);
  const timeoutMs = parseRequestTimeout(flags.requestTimeout);
  return new HttpApiClient({
    server: resolved.cluster.server,
    context: resolved.contextName,
    defaultNamespace: resolved.namespace,
    timeoutMs,
    pageSize: options.pageSize,
    credentials: () => credentialsFor(resolved),
  });
}

/** kubectl's --request-timeout: bare number = seconds, or 1s / 2m / 3h; 0 (the default) = no limit. */
export function parseRequestTimeout(text: string | undefined): number {
  if (text === undefined || text === '') return 0;
  return parseDuration(text, 'request-timeout');
}

async function credentialsFor(r: ResolvedContext): Promise<Credentials> {
  const kc = new KubeConfig();
  const cluster = toCluster(r);
  const user = toUser(r);
  kc.loadFromOptions({
    clusters: [cluster],
    users: [user],
    contexts: [{ name: r.contextName, cluster: cluster.name, user: user.name, namespace: r.namespace }],
    currentContext: r.contextName,
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const opts: any = { headers: {} };
  try {
    await kc.applyToHTTPSOptions(opts);
  } catch (e) {
    throw credentialError(e, r);
  }
  const headers: Record<string, string | string[]> = { ...opts.headers };
  const groups = r.user['as-groups'];
  if (Array.isArray(groups) && groups.length) headers['Impersonate-Group'] = groups.map(String);
  return { headers, agent: opts.agent, auth: opts.auth };
}

function toCluster(r: ResolvedContext): Cluster {
  const c = r.cluster;
  const server = String(c.server).replace(/\/+$/, '');
  return {
    name: c.name,
    server,
    caData: c['certificate-authority-data'],
    caFile: c['certificate-authority'],
    // client-node refuses plain http unless TLS verification is "skipped"; there is no TLS to verify.
    skipTLSVerify: c['insecure-skip-tls-verify'] === true || server.startsWith('http:'),
    tlsServerName: c['tls-server-name'],
    proxyUrl: c['proxy-url'],
  };
}

function toUser(r: ResolvedContext): User {
  const u = r.user;
  let token: string | undefined = u.token || undefined;
  const tokenFile = u.tokenFile ?? u['token-file'];
  if (!token && tokenFile) {
    try {
      // client-go trims the file; a trailing newline in a header would make node throw.
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (e) {
      throw new ExitError(`error: reading the token file of user "${u.name}": ${oneLine((e as Error).message)}`);
    }
  }
  let exec = u.exec;
  if (exec && typeof exec === 'object') {
    // kubectl always hands the plugin KUBERNETES_EXEC_INFO; some plugins need it to choose their output version.
    const env: Array<{ name: string; value: string }> = Array.isArray(exec.env) ? [...exec.env] : [];
    if (!env.some((e) => e.name === 'KUBERNETES_EXEC_INFO')) {
      env.push({
        name: 'KUBERNETES_EXEC_INFO',
        value: JSON.stringify({ apiVersion: exec.apiVersion ?? 'client.authentication.k8s.io/v1', kind: 'ExecCredential', spec: { interactive: false } }),
      });
    }
    exec = { ...exec, env };
  }
  return {
    // client-node skips all TLS options (CA, insecure-skip-tls-verify) for a context without a user.
    name: u.name || '(anonymous)',
    certData: u['client-certificate-data'],
    certFile: u['client-certificate'],
    keyData: u['client-key-data'],
    keyFile: u['client-key'],
    token,
    username: u.username,
    password: u.password,
    impersonateUser: u.as,
    exec,
    authProvider: u['auth-provider'],
  };
}

function credentialError(e: unknown, r: ResolvedContext): NetworkError | ExitError {
  if (e instanceof ExitError) return e;
  const err = e as NodeJS.ErrnoException & { path?: string };
  if (r.user.exec) {
    const cmd = r.user.exec.command;
    if (err.code === 'ENOENT' && (err as { syscall?: string }).syscall?.startsWith('spawn')) {
      return new NetworkError(`error: getting credentials: exec: executable ${cmd} not found`, 'credentials');
    }
    const msg = oneLine(err.message || '') || 'the plugin exited with an error';
    return new NetworkError(`error: getting credentials: exec plugin ${cmd} failed: ${msg}`, 'credentials');
  }
  if (err.code === 'ENOENT' && err.path) {
    return new NetworkError(`error: reading a file named in the kubeconfig: open ${err.path}: no such file or directory`, 'credentials');
  }
  return new NetworkError(`error: loading credentials for user "${r.user.name}": ${oneLine(err.message || String(e))}`, 'credentials');
}
