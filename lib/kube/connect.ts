// Kubeconfig -> ApiClient, with kubectl's rules (owner: kube helper).
import type { GlobalFlags } from '../cli/global-flags.ts';
import type { ApiClient } from './api.ts';

export async function connect(_flags: GlobalFlags): Promise<ApiClient> {
  throw new Error('connect: not implemented yet');
}
