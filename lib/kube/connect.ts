// Kubeconfig -> ApiClient, with kubectl's rules (owner: kube helper): which files and context
// (kubeconfig.ts), how to authenticate (auth.ts), how to talk (client.ts).
import { parseDuration } from '../cli/duration.ts';
import type { GlobalFlags } from '../cli/global-flags.ts';
import type { ApiClient } from './api.ts';
import { credentialsFor } from './auth.ts';
import { HttpApiClient } from './client.ts';
import { kubeconfigPaths, loadKubeconfig, resolveContext } from './kubeconfig.ts';

export interface ConnectOptions {
  env?: NodeJS.ProcessEnv;
  pageSize?: number;
}

export async function connect(flags: GlobalFlags, options: ConnectOptions = {}): Promise<ApiClient> {
  const env = options.env ?? process.env;
  const { paths, explicit } = kubeconfigPaths(flags.kubeconfig, env);
  const resolved = resolveContext(loadKubeconfig(paths, explicit), flags.context);
  const timeoutMs = parseRequestTimeout(flags.requestTimeout);
  return new HttpApiClient({
    server: String(resolved.cluster.server),
    context: resolved.contextName,
    defaultNamespace: resolved.namespace,
    timeoutMs,
    pageSize: options.pageSize,
    credentials: () => credentialsFor(resolved, { ...process.env, ...env }),
  });
}

/** kubectl's --request-timeout: bare number = seconds, or 1s / 2m / 3h; 0 (the default) = no limit. */
export function parseRequestTimeout(text: string | undefined): number {
  if (text === undefined || text === '') return 0;
  return parseDuration(text, 'request-timeout');
}
