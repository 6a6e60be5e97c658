// In-cluster configuration, as client-go's deferred loader falls back to it when no kubeconfig
// gives a usable config: KUBERNETES_SERVICE_HOST and _PORT set and the service account token
// file present; https://HOST:PORT, the service account CA, the token file (re-read as it rotates),
// the namespace from POD_NAMESPACE, else the service account's namespace file, else "default".
// Only --server, --token and --certificate-authority apply to it (clientcmd's inClusterClientConfig).
import { existsSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';
import type { Overrides, ResolvedContext } from './kubeconfig.ts';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export function inClusterPossible(env: NodeJS.ProcessEnv, dir = SERVICE_ACCOUNT_DIR): boolean {
  const token = join(dir, 'token');
  return Boolean(env.KUBERNETES_SERVICE_HOST) && Boolean(env.KUBERNETES_SERVICE_PORT) && existsSync(token) && !statSync(token).isDirectory();
}

export function inClusterContext(env: NodeJS.ProcessEnv, ov: Overrides, dir = SERVICE_ACCOUNT_DIR): ResolvedContext {
  const host = String(env.KUBERNETES_SERVICE_HOST);
  const hostPort = `${net.isIPv6(host) ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT}`;
  const ca = join(dir, 'ca.crt');
  const cluster: ResolvedContext['cluster'] = { name: 'in-cluster', server: ov.server || `https://${hostPort}` };
  if (ov.certificateAuthority) cluster['certificate-authority'] = resolve(ov.certificateAuthority);
  else if (existsSync(ca)) cluster['certificate-authority'] = ca; // client-go only logs a missing CA
  const user: ResolvedContext['user'] = ov.token ? { name: '', token: ov.token } : { name: '', tokenFile: join(dir, 'token') };
  return { contextName: '', cluster, user, namespace: inClusterNamespace(env, dir) };
}

function inClusterNamespace(env: NodeJS.ProcessEnv, dir: string): string {
  if (env.POD_NAMESPACE) return env.POD_NAMESPACE;
  try {
    const ns = readFileSync(join(dir, 'namespace'), 'utf8').trim();
    if (ns) return ns;
  } catch {
    // no namespace file: the default, as client-go
  }
  return 'default';
}
