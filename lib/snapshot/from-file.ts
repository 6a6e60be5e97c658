// The same Snapshot, loaded from `kubectl get -o yaml|json` output instead of the API (owner: kube helper).
// Objects are kept by the same rules the API collector selects them with (the cluster label, events
// about PostgresClusters, the control-plane label for the operator), so a dump and a live cluster
// give the checks the same picture.
import { ExitError } from '../cli/exit.ts';
import type { Scope } from '../collect/collect.ts';
import { closestNames } from '../collect/names.ts';
import { LABEL, type KObject, type Snapshot, type SnapshotObjects } from '../model/types.ts';
import { latestTimestamp } from './clock.ts';
import { fromPgo } from '../model/pgo-component.ts';
import { operatorLogBeside } from './operator-log-file.ts';
import { readObjects } from './read-objects.ts';
import { shapeSnapshot } from './shape.ts';
import { isDumpArchive, readUnpacked } from '../dump/unpack.ts';
import { gapsOfDump } from '../dump/manifest.ts';

const PGO_GROUP = 'postgres-operator.crunchydata.com';
const PGC_CRD = `postgresclusters.${PGO_GROUP}`;

export interface LoadOptions {
  now?: () => Date;
  /** Text of stdin, for path "-" (tests). */
  stdin?: () => string;
}

const BY_KIND: Record<string, Exclude<keyof SnapshotObjects, 'postgresClusters' | 'events'>> = {
  StatefulSet: 'statefulSets',
  Pod: 'pods',
  PersistentVolumeClaim: 'pvcs',
  Endpoints: 'endpoints',
  Service: 'services',
  Deployment: 'deployments',
  Job: 'jobs',
};

/**
 * `scope.namespace` "" (no namespace given and no kubeconfig to ask) keeps every namespace.
 * Throws ExitError (exit 1) for a missing or unreadable file, or one with no PostgresCluster in scope.
 */
export function loadSnapshot(path: string, scope: Scope, options: LoadOptions = {}): Snapshot {
  if (isDumpArchive(path)) return readUnpacked(path, (dir) => ({ ...loadSnapshot(dir, scope, options), source: { kind: 'file', path } }));
  const { objects: all } = readObjects(path, options.stdin);
  const label = path === '-' ? 'stdin' : `"${path}"`;
  const objects: SnapshotObjects = { postgresClusters: [], statefulSets: [], pods: [], pvcs: [], endpoints: [], services: [], deployments: [], jobs: [], events: [] };
  const operator = { deployments: [] as KObject[], pods: [] as KObject[] };
  const allClusters: KObject[] = [];
  let crd: KObject | undefined;

  const anyNamespace = scope.allNamespaces || !scope.namespace;
  const inNamespace = (o: KObject) => anyNamespace || o.metadata.namespace === scope.namespace;
  const ofCluster = (o: KObject) => {
    const c = o.metadata.labels?.[LABEL.cluster];
    return c !== undefined && (!scope.cluster || c === scope.cluster);
  };

  for (const o of all) {
    const kind = o.kind as string;
    if (kind === 'PostgresCluster' && String(o.apiVersion ?? '').startsWith(`${PGO_GROUP}/`)) {
      allClusters.push(o);
      if (inNamespace(o) && (!scope.cluster || o.metadata.name === scope.cluster)) objects.postgresClusters.push(o);
      continue;
    }
    if (kind === 'CustomResourceDefinition' && o.metadata.name === PGC_CRD) {
      crd = o;
      continue;
    }
    if (isOperator(o)) {
      if (kind === 'Deployment') operator.deployments.push(o);
      else if (kind === 'Pod') operator.pods.push(o);
      continue;
    }
    if (kind === 'Event') {
      const about = o.involvedObject ?? o.regarding;
      if (about?.kind === 'PostgresCluster' && inNamespace(o) && (!scope.cluster || about.name === scope.cluster)) objects.events.push(o);
      // PGO's Warning Events about the cluster's other objects (a StatefulSet, a pod...), as collect keeps them.
      else if (o.type === 'Warning' && fromPgo(o) && inNamespace(o)) objects.events.push(o);
      continue;
    }
    const key = BY_KIND[kind];
    if (key && inNamespace(o) && ofCluster(o)) objects[key].push(o);
  }

  if (objects.postgresClusters.length === 0) throw noClusterError(label, scope, allClusters);

  const versions = [...new Set(allClusters.map((c) => String(c.apiVersion).split('/')[1]))];
  const crdVersions: unknown = crd?.spec?.versions;
  const served = Array.isArray(crdVersions)
    ? crdVersions.filter((v) => v?.served !== false && typeof v?.name === 'string').map((v: { name: string }) => v.name)
    : undefined;
  const now = options.now?.() ?? new Date();
  const latest = latestTimestamp(all);
  const operatorLog = operatorLogBeside(path);
  return shapeSnapshot({
    schemaVersion: 1,
    // The dump's own clock (its latest timestamp) keeps ages and lease expiries true for an old dump.
    takenAt: (latest !== undefined && latest <= now.getTime() ? new Date(latest) : now).toISOString(),
    source: { kind: 'file', path },
    scope: { allNamespaces: anyNamespace, namespace: anyNamespace ? undefined : scope.namespace, cluster: scope.cluster },
    pgo: {
      apiVersions: served?.length ? sortVersions(served) : sortVersions(versions),
      crdVersion: crd?.metadata.labels?.['app.kubernetes.io/version'] || undefined,
    },
    // A dump says nothing about the operator unless it holds the operator's own objects.
    operator: { known: operator.deployments.length > 0 || operator.pods.length > 0, ...operator },
    objects,
    // A dump made by `kubectl pgo dump` names what it could not read; any other file, nothing.
    gaps: gapsOfDump(path),
    ...(operatorLog ? { operatorLog } : {}),
  });
}

function isOperator(o: KObject): boolean {
  const has = (labels: Record<string, string> | undefined) => labels !== undefined && LABEL.controlPlane in labels;
  if (o.kind === 'Deployment') return has(o.metadata.labels) || has(o.spec?.template?.metadata?.labels);
  if (o.kind === 'Pod') return has(o.metadata.labels);
  return false;
}

/** v1 before v1beta1 before v1alpha1, as the API server prefers them. */
function sortVersions(vs: string[]): string[] {
  const rank = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0];
    return [m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2, -Number(m[1]), -Number(m[3] ?? 0)];
  };
  return [...vs].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    return ra[0] - rb[0] || ra[1] - rb[1] || ra[2] - rb[2];
  });
}

function noClusterError(label: string, scope: Scope, all: KObject[]): ExitError {
  if (all.length === 0) {
    return new ExitError(
      `error: ${label} holds no PostgresCluster (expected the output of "kubectl get postgresclusters,statefulsets,pods,pvc,endpoints,services -o yaml")`,
    );
  }
  const namespaces = [...new Set(all.map((c) => c.metadata.namespace ?? ''))].sort();
  const anyNamespace = scope.allNamespaces || !scope.namespace;
  const sameNs = all.filter((c) => anyNamespace || c.metadata.namespace === scope.namespace);
  if (scope.cluster && sameNs.length > 0) {
    const names = closestNames(scope.cluster, [...new Set(sameNs.map((c) => c.metadata.name))]);
    const where = anyNamespace ? '' : ` in namespace "${scope.namespace}"`;
    return new ExitError(`error: postgrescluster "${scope.cluster}" not found${where} in ${label}; clusters there: ${names.slice(0, 10).join(', ')}`);
  }
  const what = scope.cluster ? `postgrescluster "${scope.cluster}"` : 'no PostgresCluster';
  const prefix = scope.cluster ? `${what} not found` : what;
  return new ExitError(`error: ${prefix} in namespace "${scope.namespace}" in ${label}; it holds clusters in namespace(s) ${namespaces.join(', ')} (use -n NAMESPACE or -A)`);
}
