// Everything the checks need, in a fixed number of LIST calls (owner: kube helper).
// One LIST per resource type by label selector, all at once, paginated: the number of requests
// does not grow with the number of clusters. A LIST that fails (forbidden, timed out) becomes a
// Gap and the rest is still reported; only the PostgresCluster list itself is indispensable.
import type { ApiClient } from '../kube/api.ts';
import { discoverPgo, PGO_GROUP, type PgoDiscovery } from '../kube/discovery.ts';
import { ApiError, NetworkError } from '../kube/errors.ts';
import { statusListOptions } from '../kube/status-lists.ts';
import { LABEL, type Gap, type KObject, type Snapshot, type SnapshotObjects } from '../model/types.ts';
import { shapeSnapshot } from '../snapshot/shape.ts';
import type { LogWindow } from '../operator-log/source.ts';
import { closestNames } from './names.ts';
import { fromPgo, mergeEvents } from '../model/pgo-component.ts';
import { readOperatorLog, type LogTextSink } from './operator-log.ts';

export interface Scope {
  allNamespaces: boolean;
  namespace: string; // ignored when allNamespaces
  cluster?: string; // one cluster by name (in namespace)
}

export interface CollectOptions {
  /** Discovery already done by the caller (e.g. a watch loop collecting again). */
  discovery?: PgoDiscovery;
  now?: () => Date;
  /** Read PGO's log from each operator pod (one GET per pod); not read when absent. */
  operatorLog?: LogWindow;
  /** Also hands over the raw text of each operator log read (dump). */
  onLogText?: LogTextSink;
  /** Lists a watch keeps current (status --watch): taken as they are, not listed again. */
  kept?: Partial<SnapshotObjects>;
  /** Pods, StatefulSets, PVCs, Endpoints and Services only as far as status reads them, in protobuf (lib/kube/status-lists.ts): not for dump, diff or the writing verbs. */
  forStatus?: boolean;
  /** The resourceVersion each list was read at (a watch starts from it, missing nothing). */
  onListed?: (list: keyof SnapshotObjects, resourceVersion: string) => void;
}

type ObjectKey = Exclude<keyof SnapshotObjects, 'postgresClusters'>;

interface ListSpec {
  resource: string; // plural, for gaps
  prefix: string; // /api/v1 or /apis/<group>/<version>
  labelSelector?: string;
  fieldSelector?: string;
  clusterWide?: boolean;
}

export async function collect(client: ApiClient, asked: Scope, options: CollectOptions = {}): Promise<Snapshot> {
  // An empty namespace means no namespace was given and none applies: every namespace (as for --from).
  const scope: Scope = { ...asked, allNamespaces: asked.allNamespaces || !asked.namespace };
  // Only the PostgresCluster LIST needs discovery's answer: every other LIST starts with it, so a
  // remote cluster costs one round trip (and the CRD's transfer) less before the objects arrive.
  // The PostgresClusters are not listed at a guessed version: where PGO v6 prefers v1, a guess at
  // v1beta1 would list every cluster twice and make a fault read on one LIST land on the other.
  const pgoP = options.discovery ? Promise.resolve(options.discovery) : discoverPgo(client);
  const nsPath = scope.allNamespaces ? '' : `/namespaces/${encodeURIComponent(scope.namespace)}`;
  const clusterSelector = scope.cluster ? `${LABEL.cluster}=${scope.cluster}` : LABEL.cluster;
  const eventSelector = `involvedObject.kind=PostgresCluster${scope.cluster ? `,involvedObject.name=${scope.cluster}` : ''}`;

  const specs: Record<ObjectKey, ListSpec> = {
    statefulSets: { resource: 'statefulsets', prefix: '/apis/apps/v1', labelSelector: clusterSelector },
    pods: { resource: 'pods', prefix: '/api/v1', labelSelector: clusterSelector },
    pvcs: { resource: 'persistentvolumeclaims', prefix: '/api/v1', labelSelector: clusterSelector },
    endpoints: { resource: 'endpoints', prefix: '/api/v1', labelSelector: clusterSelector },
    services: { resource: 'services', prefix: '/api/v1', labelSelector: clusterSelector },
    deployments: { resource: 'deployments', prefix: '/apis/apps/v1', labelSelector: clusterSelector },
    jobs: { resource: 'jobs', prefix: '/apis/batch/v1', labelSelector: clusterSelector },
    events: { resource: 'events', prefix: '/api/v1', fieldSelector: eventSelector },
  };
  const gaps: Gap[] = [];
  const listOrGap = async (spec: ListSpec, list?: ObjectKey): Promise<KObject[] | undefined> => {
    const kept = list && options.kept?.[list];
    if (kept) return kept;
    const path = `${spec.prefix}${spec.clusterWide ? '' : nsPath}/${spec.resource}`;
    try {
      const r = await client.list(path, { labelSelector: spec.labelSelector, fieldSelector: spec.fieldSelector }, options.forStatus && list ? statusListOptions(list) : undefined);
      if (list) options.onListed?.(list, r.resourceVersion);
      return r.items;
    } catch (e) {
      if (!isApiFailure(e)) throw e; // a bug, not an API failure
      gaps.push(gapFrom(e, 'list', spec.resource, spec.clusterWide || scope.allNamespaces ? undefined : scope.namespace));
      return undefined;
    }
  };

  const clustersP = options.kept?.postgresClusters
    ? Promise.resolve(options.kept.postgresClusters)
    : pgoP.then((pgo) => fetchClusters(client, scope, `/apis/${PGO_GROUP}/${pgo.apiVersions[0]}`, nsPath, options.onListed));
  const keys = Object.keys(specs) as ObjectKey[];
  const listsP = Promise.all(keys.map((k) => listOrGap(specs[k], k)));
  const operatorP = Promise.all([
    listOrGap({ resource: 'deployments', prefix: '/apis/apps/v1', labelSelector: LABEL.controlPlane, clusterWide: true }),
    listOrGap({ resource: 'pods', prefix: '/api/v1', labelSelector: LABEL.controlPlane, clusterWide: true }),
  ]);
  // PGO's Warning Events about any object of a cluster (a StatefulSet, a pod, a PVC, not only the
  // PostgresCluster): one more LIST whatever the number of clusters, kept in memory only when
  // PGO's recorder wrote them (source.component; the core API also serves events.k8s.io ones).
  const warningsP = listOrGap({ resource: 'events', prefix: '/api/v1', fieldSelector: 'type=Warning' });
  // Settle everything before throwing so no request is left running behind an error.
  const [pgoR, clustersR, listsR, operatorR, warningsR] = await Promise.allSettled([pgoP, clustersP, listsP, operatorP, warningsP]);
  if (pgoR.status === 'rejected') throw pgoR.reason;
  const pgo = pgoR.value;
  if (clustersR.status === 'rejected') throw clustersR.reason;
  if (listsR.status === 'rejected') throw listsR.reason;
  if (operatorR.status === 'rejected') throw operatorR.reason;

  const objects = { postgresClusters: clustersR.value } as SnapshotObjects;
  keys.forEach((k, i) => (objects[k] = listsR.value[i] ?? []));
  if (warningsR.status === 'rejected') throw warningsR.reason;
  objects.events = mergeEvents(objects.events, (warningsR.value ?? []).filter(fromPgo));
  const [opDeployments, opPods] = operatorR.value;
  const deployments = opDeployments ?? [];
  const [traced, operatorLog] = await Promise.all([
    opPods && opDeployments ? deploymentsOfPods(client, opPods, deployments, gaps) : [],
    opPods && options.operatorLog ? readOperatorLog(client, opPods, options.operatorLog, gaps, gapFrom, options.onLogText) : undefined,
  ]);
  deployments.push(...traced);

  // Held to the shapes the engine reads before anything reads it (lib/snapshot/shape.ts).
  return shapeSnapshot({
    schemaVersion: 1,
    takenAt: (options.now?.() ?? new Date()).toISOString(),
    source: { kind: 'api', context: client.context, server: client.server },
    scope: { allNamespaces: scope.allNamespaces, namespace: scope.allNamespaces ? undefined : scope.namespace, cluster: scope.cluster },
    pgo: { apiVersions: pgo.apiVersions, crdVersion: pgo.crdVersion },
    // An operator Deployment that could not be read (traced from its pods) leaves the operator unknown, not missing.
    operator: { known: opDeployments !== undefined && opPods !== undefined && !gaps.some((g) => g.verb === 'get' && g.resource === 'deployments'), deployments, pods: opPods ?? [] },
    objects,
    gaps,
    ...(operatorLog ? { operatorLog } : {}),
  });
}

async function fetchClusters(client: ApiClient, scope: Scope, prefix: string, nsPath: string, onListed: CollectOptions['onListed']): Promise<KObject[]> {
  if (scope.cluster && !scope.allNamespaces) {
    try {
      const one = await client.request<KObject>({ method: 'GET', path: `${prefix}${nsPath}/postgresclusters/${encodeURIComponent(scope.cluster)}` });
      // A watch of that one object may start from its own version.
      if (one.metadata?.resourceVersion) onListed?.('postgresClusters', one.metadata.resourceVersion);
      return [one];
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) throw await notFound(client, scope, prefix, nsPath, e);
      throw e;
    }
  }
  const list = await client.list(`${prefix}${nsPath}/postgresclusters`, scope.cluster ? { fieldSelector: `metadata.name=${scope.cluster}` } : {});
  onListed?.('postgresClusters', list.resourceVersion);
  for (const pgc of list.items) {
    pgc.kind ??= 'PostgresCluster';
  }
  if (scope.cluster && list.items.length === 0) {
    throw new ApiError(
      `Error from server (NotFound): postgresclusters.${PGO_GROUP} "${scope.cluster}" not found in any namespace`,
      404,
      'NotFound',
    );
  }
  return list.items;
}

/** The NotFound error, naming the clusters that do exist in the namespace (closest first). */
async function notFound(client: ApiClient, scope: Scope, prefix: string, nsPath: string, original: ApiError): Promise<ApiError> {
  let names: string[] | undefined;
  try {
    names = (await client.list(`${prefix}${nsPath}/postgresclusters`)).items.map((o) => o.metadata.name);
  } catch {
    // Cannot list: say only what kubectl would say.
  }
  const base = `Error from server (NotFound): postgresclusters.${PGO_GROUP} "${scope.cluster}" not found in namespace "${scope.namespace}"`;
  if (names === undefined) return new ApiError(base, 404, 'NotFound', original.serverMessage);
  if (names.length === 0) return new ApiError(`${base}; there are no PostgresClusters in that namespace`, 404, 'NotFound', original.serverMessage);
  const sorted = closestNames(scope.cluster!, names);
  const shown = sorted.slice(0, 10).join(', ') + (sorted.length > 10 ? `, ... (${sorted.length} in all)` : '');
  return new ApiError(`${base}; clusters there: ${shown}`, 404, 'NotFound', original.serverMessage);
}

/**
 * Operator pods whose Deployment carries the control-plane label only on its pod template (a
 * customised install) are traced to it through their ReplicaSet's name: one GET per operator.
 */
async function deploymentsOfPods(client: ApiClient, pods: KObject[], known: KObject[], gaps: Gap[]): Promise<KObject[]> {
  const have = new Set(known.map((d) => `${d.metadata.namespace}/${d.metadata.name}`));
  const wanted = new Map<string, { namespace: string; name: string }>();
  for (const pod of pods) {
    const rs = pod.metadata.ownerReferences?.find((o) => o.kind === 'ReplicaSet');
    const hash = pod.metadata.labels?.['pod-template-hash'];
    const ns = pod.metadata.namespace;
    if (!rs || !hash || !ns || !rs.name.endsWith(`-${hash}`)) continue;
    const name = rs.name.slice(0, -(hash.length + 1));
    const key = `${ns}/${name}`;
    if (!have.has(key)) wanted.set(key, { namespace: ns, name });
  }
  const found = await Promise.all(
    [...wanted.values()].map(async ({ namespace, name }) => {
      try {
        const d = await client.request<KObject>({ method: 'GET', path: `/apis/apps/v1/namespaces/${namespace}/deployments/${name}` });
        d.kind ??= 'Deployment';
        d.apiVersion ??= 'apps/v1';
        return d;
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return undefined;
        if (isApiFailure(e)) {
          gaps.push(gapFrom(e, 'get', 'deployments', namespace));
          return undefined;
        }
        throw e;
      }
    }),
  );
  return found.filter((d): d is KObject => d !== undefined);
}

export function gapFrom(e: Error, verb: string, resource: string, namespace: string | undefined): Gap {
  const where = namespace === undefined ? 'in any namespace (cluster-wide)' : `in namespace "${namespace}"`;
  if (e instanceof ApiError) {
    return { resource, verb, namespace, status: e.status, message: `cannot ${verb} ${resource} ${where} (${e.reason}): ${e.serverMessage}` };
  }
  return { resource, verb, namespace, message: `cannot ${verb} ${resource} ${where}: ${e.message.replace(/^error: /, '')}` };
}

function isApiFailure(e: unknown): e is ApiError | NetworkError {
  return e instanceof ApiError || e instanceof NetworkError;
}
