import type { ObjectRef } from './types.ts';

/** The REST path of one object: /api/v1/... for the core group, /apis/<group>/<version>/... otherwise. */
export function objectPath(ref: ObjectRef): string {
  const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  return `${base}/namespaces/${encodeURIComponent(ref.namespace)}/${ref.plural}/${encodeURIComponent(ref.name)}`;
}

export function postgresClusterRef(apiVersion: string | undefined, namespace: string, name: string): ObjectRef {
  return {
    apiVersion: apiVersion || 'postgres-operator.crunchydata.com/v1beta1',
    kind: 'PostgresCluster',
    plural: 'postgresclusters',
    namespace,
    name,
  };
}
