// Everything the checks need, in a fixed number of LIST calls (owner: kube helper).
import type { ApiClient } from '../kube/api.ts';
import type { Snapshot } from '../model/types.ts';

export interface Scope {
  allNamespaces: boolean;
  namespace: string; // ignored when allNamespaces
  cluster?: string; // one cluster by name (in namespace)
}

export async function collect(_client: ApiClient, _scope: Scope): Promise<Snapshot> {
  throw new Error('collect: not implemented yet');
}
