// Names for completion from the cluster: quick (short timeout) and silent (any error: no names),
// because a completion that hangs or prints an error is worse than none.
import type { GlobalFlags } from '../cli/global-flags.ts';
import type { ApiClient } from '../kube/api.ts';
import { LABEL, type KObject } from '../model/types.ts';
import type { NameSources } from './candidates.ts';

const TIMEOUT_MS = 2000;
const GROUP = '/apis/postgres-operator.crunchydata.com';

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    t.unref?.();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

const names = (items: KObject[]) => items.map((o) => o.metadata?.name).filter((n): n is string => typeof n === 'string').sort();

export function apiSources(flags: GlobalFlags): NameSources {
  let client: Promise<ApiClient> | undefined;
  const api = () =>
    (client ??= import('../kube/connect.ts').then(({ connect }) => connect({ ...flags, requestTimeout: flags.requestTimeout ?? `${TIMEOUT_MS / 1000}s` })));
  const quietly = async (f: (a: ApiClient) => Promise<string[]>): Promise<string[]> => {
    try {
      return await withTimeout(
        api().then((a) => f(a)),
        TIMEOUT_MS,
      );
    } catch {
      return [];
    }
  };
  const ns = (a: ApiClient) => flags.namespace ?? a.defaultNamespace;
  return {
    clusters: () =>
      quietly(async (a) => {
        const path = (v: string) => `${GROUP}/${v}/namespaces/${ns(a)}/postgresclusters`;
        // v1 where served (PGO 6), else v1beta1.
        const list = await a.list(path('v1')).catch(() => a.list(path('v1beta1')));
        return names(list.items);
      }),
    instances: (cluster) =>
      quietly(async (a) => {
        const selector = cluster ? `${LABEL.instance},${LABEL.cluster}=${cluster}` : LABEL.instance;
        return names((await a.list(`/apis/apps/v1/namespaces/${ns(a)}/statefulsets`, { labelSelector: selector })).items);
      }),
    namespaces: () => quietly(async (a) => names((await a.list('/api/v1/namespaces')).items)),
    contexts: () =>
      quietly(async () => {
        const { kubeconfigPaths, loadKubeconfig } = await import('../kube/kubeconfig.ts');
        const { paths, explicit } = kubeconfigPaths(flags.kubeconfig, process.env);
        return [...loadKubeconfig(paths, explicit).contexts.keys()].sort();
      }),
  };
}
