// Makes N PostgresClusters shaped like the recorded one (hippo, from the real operator), renamed,
// ten to a namespace: the input of the --from and API benchmarks and of the request-count tests.
import { readFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RECORDED = resolve(repo, '../shared/fixtures/pgo/v5.8.9/recorded/healthy.yaml');

const KINDS = new Set(['PostgresCluster', 'StatefulSet', 'Pod', 'PersistentVolumeClaim', 'Endpoints', 'Service']);

function recorded() {
  const list = load(readFileSync(RECORDED, 'utf8'));
  return list.items.filter((o) => KINDS.has(o.kind));
}

/** Name and namespace of the i-th synthetic cluster. */
export function clusterAt(i, { perNamespace = 10, nsPrefix = 'bench' } = {}) {
  return { name: `pg${String(i).padStart(4, '0')}`, ns: `${nsPrefix}-${Math.floor(i / perNamespace)}` };
}

/** Objects of n clusters (of those in `only` when given); `forApi` strips what the API server would refuse on create. */
export function synthObjects(n, { forApi = false, perNamespace = 10, nsPrefix = 'bench', only } = {}) {
  const base = recorded();
  const text = JSON.stringify(base);
  const out = [];
  for (let i = 0; i < n; i++) {
    if (only && !only.has(i)) continue;
    const { name, ns } = clusterAt(i, { perNamespace, nsPrefix });
    // Cluster and instance names all start with "hippo": renaming the prefix renames everything consistently.
    const objs = JSON.parse(text.replaceAll('hippo', name).replaceAll('"namespace":"db"', `"namespace":"${ns}"`));
    for (const o of objs) {
      o.metadata.namespace = ns;
      if (forApi) {
        for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'ownerReferences', 'finalizers']) delete o.metadata[k];
        if (o.kind === 'PostgresCluster') delete o.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
        // No controller manager in the sandbox makes service accounts: pods use each namespace's
        // "default", which the fleet maker creates.
        if (o.kind === 'Pod' && o.spec) {
          delete o.spec.serviceAccountName;
          delete o.spec.serviceAccount;
        }
        if (o.kind === 'Service' && o.spec) {
          // The sandbox assigns addresses of its own; headless services stay headless.
          if (o.spec.clusterIP !== 'None') {
            delete o.spec.clusterIP;
            delete o.spec.clusterIPs;
          }
          // Recorded on a dual-stack cluster; the sandbox is single-stack.
          delete o.spec.ipFamilyPolicy;
          delete o.spec.ipFamilies;
        }
      }
      out.push(o);
    }
  }
  return out;
}

export function namespacesOf(objs) {
  return [...new Set(objs.map((o) => o.metadata.namespace))];
}
