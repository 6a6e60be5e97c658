// Which PostgresCluster API versions the cluster serves, and which PGO release installed the CRD.
import { ExitError } from '../cli/exit.ts';
import type { ApiClient } from './api.ts';
import { ApiError } from './errors.ts';
import { CRD_VERSIONS } from './pb-schema.ts';

export const PGO_GROUP = 'postgres-operator.crunchydata.com';
export const PGC_CRD = `postgresclusters.${PGO_GROUP}`;

export interface PgoDiscovery {
  /** Served PostgresCluster versions, preferred first, e.g. ["v1", "v1beta1"]. */
  apiVersions: string[];
  /** app.kubernetes.io/version label of the CRD; undefined when absent or not readable. */
  crdVersion?: string;
}

interface ApiGroup {
  versions?: Array<{ groupVersion: string; version: string }>;
  preferredVersion?: { version: string };
}

export class PgoNotInstalledError extends ExitError {
  constructor(context: string) {
    super(
      `error: PGO is not installed in this cluster (context "${context}"): the API group ${PGO_GROUP} is not served, so the CustomResourceDefinition ${PGC_CRD} is missing`,
      1,
    );
    this.name = 'PgoNotInstalledError';
  }
}

/** Two requests: the API group (discovery, readable by every authenticated user) and the CRD. */
export async function discoverPgo(client: ApiClient): Promise<PgoDiscovery> {
  const [group, crd] = await Promise.allSettled([
    client.request<ApiGroup>({ method: 'GET', path: `/apis/${PGO_GROUP}` }),
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    client.request<any>({ method: 'GET', path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${PGC_CRD}`, message: CRD_VERSIONS }),
  ]);
  if (group.status === 'rejected') {
    const e = group.reason;
    if (e instanceof ApiError && e.status === 404) throw new PgoNotInstalledError(client.context);
    throw e;
  }
  const groupVersions = orderedVersions(group.value);
  let apiVersions = groupVersions;
  let crdVersion: string | undefined;
  if (crd.status === 'fulfilled' && crd.value) {
    crdVersion = crd.value.metadata?.labels?.['app.kubernetes.io/version'] || undefined;
    // The group may serve versions through other CRDs (PGAdmin...): keep the ones postgresclusters serves.
    const served = new Set<string>(
      (crd.value.spec?.versions ?? []).filter((v: { served?: boolean }) => v.served !== false).map((v: { name: string }) => v.name),
    );
    if (served.size) apiVersions = groupVersions.filter((v) => served.has(v));
  } else if (crd.status === 'rejected') {
    const e = crd.reason;
    // Forbidden (most users cannot read CRDs) or another failure: the versions still come from discovery.
    if (e instanceof ApiError && e.status === 404) throw new PgoNotInstalledError(client.context);
    if (!(e instanceof ApiError)) throw e;
  }
  if (apiVersions.length === 0) throw new PgoNotInstalledError(client.context);
  return { apiVersions, crdVersion };
}

export function orderedVersions(group: ApiGroup): string[] {
  const all = (group.versions ?? []).map((v) => v.version);
  const pref = group.preferredVersion?.version;
  return pref && all.includes(pref) ? [pref, ...all.filter((v) => v !== pref)] : all;
}
