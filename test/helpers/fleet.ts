// Tests only: one kubeconfig with several contexts on the sandbox's one API server - the admin,
// namespace-scoped users, and a context whose server cannot be reached - for the fleet tests.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dump, load } from 'js-yaml';
import { adminKubeconfigPath } from './sandbox.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export interface FleetContext {
  name: string;
  /** A kubeconfig whose current context is the one to copy (admin when absent). */
  from?: string;
  namespace?: string;
  /** Replace the server, e.g. https://127.0.0.1:1 for one that cannot be reached. */
  server?: string;
}

function current(file: string): { cluster: Any; user: Any } {
  const kc = load(readFileSync(file, 'utf8')) as Any;
  const ctx = kc.contexts.find((c: Any) => c.name === kc['current-context']).context;
  const cluster = structuredClone(kc.clusters.find((c: Any) => c.name === ctx.cluster).cluster);
  if (cluster['certificate-authority']) cluster['certificate-authority'] = path.resolve(path.dirname(file), cluster['certificate-authority']);
  return { cluster, user: structuredClone(kc.users.find((u: Any) => u.name === ctx.user)?.user ?? {}) };
}

/** Writes the kubeconfig; its current context is the first one. */
export function fleetKubeconfig(contexts: FleetContext[]): string {
  const kc: Any = { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [], 'current-context': contexts[0].name };
  for (const c of contexts) {
    const { cluster, user } = current(c.from ?? adminKubeconfigPath());
    if (c.server) cluster.server = c.server;
    kc.clusters.push({ name: c.name, cluster });
    kc.users.push({ name: c.name, user });
    kc.contexts.push({ name: c.name, context: { cluster: c.name, user: c.name, ...(c.namespace ? { namespace: c.namespace } : {}) } });
  }
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'kpgo-fleet-')), 'kubeconfig');
  writeFileSync(file, dump(kc), { mode: 0o600 });
  return file;
}
