// Which PGO runs in the cluster: the Deployments (else pods) carrying the control-plane label key
// (its value depends on the installer), their images, and the version from the Deployment's
// app.kubernetes.io/version label, the image tag, or the postgresclusters CRD's version label.
import type { ApiClient } from '../kube/api.ts';
import { LABEL, type KObject } from '../model/types.ts';
import { METADATA_ONLY } from '../kube/pb-schema.ts';

const VERSION_LABEL = 'app.kubernetes.io/version';
const CRD = 'postgresclusters.postgres-operator.crunchydata.com';

export interface OperatorWorkload {
  kind: 'Deployment' | 'Pod';
  namespace: string;
  name: string;
  image?: string;
  version?: string;
}

export interface OperatorInfo {
  /** The version found, with a leading v; undefined when nothing said it. */
  version?: string;
  /** Where the version came from, for people: "Deployment postgres-operator/pgo label", "image tag", "CRD label". */
  source?: string;
  workloads: OperatorWorkload[];
  crdVersion?: string;
  /** Why part of the answer is missing (forbidden, no operator found). */
  notes: string[];
}

/** Normalises "5.8.9", "v5.8.9", "ubi9-5.8.9-0" to "v5.8.9" (undefined when there is no x.y.z in it). */
export function versionFrom(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const m = /(?:^|[^0-9.])v?(\d+\.\d+\.\d+)(?![0-9.])/.exec(text);
  return m ? `v${m[1]}` : undefined;
}

export function imageTag(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const noDigest = image.split('@')[0];
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(colon + 1) : undefined;
}

function operatorImage(podSpec: KObject | undefined): string | undefined {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const containers: any[] = (podSpec as any)?.containers ?? [];
  return (containers.find((c) => c?.name === 'operator') ?? containers[0])?.image;
}

export function workloadOf(obj: KObject, kind: 'Deployment' | 'Pod'): OperatorWorkload {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const o = obj as any;
  const image = operatorImage(kind === 'Deployment' ? o.spec?.template?.spec : o.spec);
  const version = versionFrom(o.metadata?.labels?.[VERSION_LABEL]) ?? versionFrom(o.spec?.template?.metadata?.labels?.[VERSION_LABEL]) ?? versionFrom(imageTag(image));
  return { kind, namespace: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '', image, version };
}

/** Pure: picks the version to show from what was found. */
export function pickVersion(workloads: OperatorWorkload[], crdVersion: string | undefined): { version?: string; source?: string } {
  const w = workloads.find((x) => x.version);
  if (w) return { version: w.version, source: `${w.kind} ${w.namespace}/${w.name}` };
  if (crdVersion) return { version: crdVersion, source: `CRD ${CRD} label ${VERSION_LABEL}` };
  return {};
}

export async function findOperator(api: ApiClient): Promise<OperatorInfo> {
  const notes: string[] = [];
  const listByKey = async (resource: 'deployments' | 'pods'): Promise<KObject[]> => {
    const prefix = resource === 'deployments' ? '/apis/apps/v1' : '/api/v1';
    try {
      return (await api.list(`${prefix}/${resource}`, { labelSelector: LABEL.controlPlane })).items;
    } catch (e) {
      if ((e as { status?: number }).status !== 403) throw e;
      // Not allowed cluster-wide: the operator may still live in the current namespace.
      notes.push(`cannot list ${resource} in all namespaces (Forbidden); looked in namespace ${api.defaultNamespace} only`);
      return (await api.list(`${prefix}/namespaces/${api.defaultNamespace}/${resource}`, { labelSelector: LABEL.controlPlane })).items;
    }
  };
  let workloads = (await listByKey('deployments')).map((d) => workloadOf(d, 'Deployment'));
  if (workloads.length === 0) workloads = (await listByKey('pods')).map((p) => workloadOf(p, 'Pod'));
  let crdVersion: string | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    // Its labels only: in protobuf, the CRD's schemas (~1.4 MB of JSON) are skipped unread.
    const crd: any = await api.request({ method: 'GET', path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD}`, message: METADATA_ONLY });
    crdVersion = versionFrom(crd?.metadata?.labels?.[VERSION_LABEL]);
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (status === 404) notes.push(`the ${CRD} CRD is not installed`);
    else if (status === 403) notes.push(`cannot get the ${CRD} CRD (Forbidden; ask for: get customresourcedefinitions.apiextensions.k8s.io)`);
    else throw e;
  }
  if (workloads.length === 0) notes.push(`no Deployment or pod labelled ${LABEL.controlPlane} found`);
  return { ...pickVersion(workloads, crdVersion), workloads, crdVersion, notes };
}
