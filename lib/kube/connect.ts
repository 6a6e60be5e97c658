// Kubeconfig (or the pod's service account) -> ApiClient, with kubectl's rules (owner: kube
// helper): which files and context, overridden by the global flags (kubeconfig.ts), the in-cluster
// fallback (in-cluster.ts), how to authenticate (auth.ts), how to talk (client.ts).
import { parseDuration } from '../cli/duration.ts';
import type { GlobalFlags } from '../cli/global-flags.ts';
import type { ApiClient } from './api.ts';
import { credentialSource, serverUrl } from './auth.ts';
import { HttpApiClient } from './client.ts';
import { inClusterContext, inClusterPossible, SERVICE_ACCOUNT_DIR } from './in-cluster.ts';
import { kubeconfigPaths, loadKubeconfig, resolveContext, type ResolvedContext } from './kubeconfig.ts';

export interface ConnectOptions {
  env?: NodeJS.ProcessEnv;
  pageSize?: number;
  /** Where the service account is mounted (tests point it elsewhere). */
  serviceAccountDir?: string;
  stdinIsTTY?: boolean;
}

/** The context a call uses: the kubeconfig's, or in-cluster when no kubeconfig exists (and no --server/--context/--cluster asks for one). */
export function contextFor(flags: GlobalFlags, env: NodeJS.ProcessEnv, serviceAccountDir = SERVICE_ACCOUNT_DIR): ResolvedContext {
  const { paths, explicit } = kubeconfigPaths(flags.kubeconfig, env);
  const cfg = loadKubeconfig(paths, explicit);
  const empty = cfg.clusters.size === 0 && cfg.contexts.size === 0 && cfg.users.size === 0;
  if (empty && !flags.context && !flags.cluster && !flags.server && inClusterPossible(env, serviceAccountDir)) return inClusterContext(env, flags, serviceAccountDir);
  return resolveContext(cfg, flags.context, flags);
}

export async function connect(flags: GlobalFlags, options: ConnectOptions = {}): Promise<ApiClient> {
  const env = { ...process.env, ...(options.env ?? {}) };
  const resolved = contextFor(flags, options.env ?? process.env, options.serviceAccountDir);
  const timeoutMs = parseRequestTimeout(flags.requestTimeout);
  return new HttpApiClient({
    server: serverUrl(resolved.cluster).toString().replace(/\/$/, ''),
    context: resolved.contextName,
    defaultNamespace: resolved.namespace,
    timeoutMs,
    compression: resolved.cluster['disable-compression'] !== true,
    pageSize: options.pageSize,
    credentials: credentialSource(resolved, { env, stdinIsTTY: options.stdinIsTTY }),
  });
}

/** kubectl's --request-timeout: bare number = seconds, or 1s / 2m / 3h; 0 (the default) = no limit. */
export function parseRequestTimeout(text: string | undefined): number {
  if (text === undefined || text === '') return 0;
  return parseDuration(text, 'request-timeout');
}
