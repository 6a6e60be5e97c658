// Tests only: PostgresClusters and the objects PGO makes for them, created through the real API
// from the objects recorded from the real operator (../shared/fixtures/pgo/<v>/recorded/healthy.yaml):
// the same names, labels, annotations and owner references, renamed per cluster and namespace.
// Status is written through the status subresources because no kubelet or controller runs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadAll } from 'js-yaml';
import type { KObject } from '../../lib/model/types.ts';
import { LABEL } from '../../lib/model/types.ts';
import { api, apiOk, sharedDir } from './sandbox.ts';

export type PgoVersion = 'v5.8.9' | 'v6.0.3';

/** Kinds taken from the recording, in the order they are created (owners before dependents). */
const KINDS = ['PostgresCluster', 'ServiceAccount', 'ConfigMap', 'StatefulSet', 'PersistentVolumeClaim', 'Pod', 'Service', 'Endpoints'] as const;
const WITH_STATUS = new Set(['PostgresCluster', 'StatefulSet', 'PersistentVolumeClaim', 'Pod']);

/** The Node every test pod is bound to; no kubelet or kwok manages it (see ensureTestNode). */
export const TEST_NODE = 'kpgo-e2e-node';

const recordedCache = new Map<PgoVersion, KObject[]>();

export function recordedHealthy(version: PgoVersion): KObject[] {
  const hit = recordedCache.get(version);
  if (hit) return hit;
  const file = path.join(sharedDir, 'fixtures/pgo', version, 'recorded/healthy.yaml');
  const objects: KObject[] = [];
  for (const doc of loadAll(readFileSync(file, 'utf8')) as KObject[]) {
    if (doc?.kind === 'List' && Array.isArray(doc.items)) objects.push(...(doc.items as KObject[]));
    else if (doc?.metadata) objects.push(doc);
  }
  recordedCache.set(version, objects);
  return objects;
}

export function collectionPath(obj: KObject, namespace: string): string {
  const [group, version] = obj.apiVersion!.includes('/') ? obj.apiVersion!.split('/') : ['', obj.apiVersion!];
  const plural: Record<string, string> = {
    PostgresCluster: 'postgresclusters',
    StatefulSet: 'statefulsets',
    PersistentVolumeClaim: 'persistentvolumeclaims',
    Pod: 'pods',
    Service: 'services',
    Endpoints: 'endpoints',
    ConfigMap: 'configmaps',
    ServiceAccount: 'serviceaccounts',
  };
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  return `${base}/namespaces/${namespace}/${plural[obj.kind!]}`;
}

export interface ClusterObjects {
  namespace: string;
  name: string;
  /** e.g. postgres-operator.crunchydata.com/v1beta1 (v5.8.9) or .../v1 (v6.0.3) */
  apiVersion: string;
  objects: KObject[];
  primary: { instance: string; pod: string };
  replica: { instance: string; pod: string };
}

/** The recorded healthy cluster renamed to NAME in NAMESPACE, ready to create. Server-owned
 *  metadata (uid, resourceVersion, ...) is dropped; finalizers too, so tests can clean up
 *  without an operator or a controller manager. */
export function shapeCluster(version: PgoVersion, namespace: string, name: string): ClusterObjects {
  // Not PGO's: the default ServiceAccount and the root CA ConfigMap come with every namespace.
  const source = recordedHealthy(version).filter((o) => (KINDS as readonly string[]).includes(o.kind!) && !['default', 'kube-root-ca.crt'].includes(o.metadata.name));
  // Names, labels and annotations all derive from the cluster name; so do the Patroni scope and
  // service host names. \b keeps words that merely contain it intact.
  const renamed = JSON.parse(
    JSON.stringify(source)
      .replace(/\bhippo\b/g, name)
      .replace(/"namespace":"db"/g, `"namespace":"${namespace}"`)
      .replace(/\.db\.svc/g, `.${namespace}.svc`),
  ) as KObject[];
  for (const o of renamed) {
    const m = o.metadata as unknown as Record<string, unknown>;
    for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'finalizers', 'generateName'] as const) delete m[k];
    o.metadata.namespace = namespace;
    if (o.kind === 'Pod') o.spec.nodeName = TEST_NODE;
    if (o.kind === 'Service') {
      // The recording's ClusterIPs belong to another service range; headless stays headless.
      // IP families are left to the apiserver, which defaults them as it did for PGO.
      if (o.spec.clusterIP !== 'None') {
        delete o.spec.clusterIP;
        delete o.spec.clusterIPs;
      }
      delete o.spec.ipFamilies;
      delete o.spec.ipFamilyPolicy;
    }
    if (o.kind === 'Endpoints') {
      for (const s of o.subsets ?? []) for (const a of [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])]) if (a.nodeName) a.nodeName = TEST_NODE;
    }
  }
  const pods = renamed.filter((o) => o.kind === 'Pod' && o.metadata.labels?.[LABEL.instance]);
  const byRole = (roles: string[]) => {
    const p = pods.find((x) => roles.includes(x.metadata.labels?.[LABEL.role] ?? ''));
    if (!p) throw new Error(`recorded ${version} cluster has no pod with role ${roles.join('/')}`);
    return { instance: p.metadata.labels![LABEL.instance], pod: p.metadata.name };
  };
  const pg = renamed.find((o) => o.kind === 'PostgresCluster')!;
  return { namespace, name, apiVersion: pg.apiVersion!, objects: renamed, primary: byRole(['master', 'primary']), replica: byRole(['replica']) };
}

/** Creates the cluster's objects in dependency order and writes their status; owner references
 *  and Endpoints target references point at the uids the API gave. Returns the created objects. */
export async function createCluster(c: ClusterObjects, opts: { kubeconfig?: string } = {}): Promise<KObject[]> {
  const k = { kubeconfig: opts.kubeconfig };
  const uids = new Map<string, string>(); // Kind/name -> uid
  const created: KObject[] = [];
  for (const kind of KINDS) {
    await Promise.all(
      c.objects
        .filter((o) => o.kind === kind)
        .map(async (o) => {
          const body = structuredClone(o);
          const status = body.status;
          delete body.status;
          for (const ref of body.metadata.ownerReferences ?? []) {
            const uid = uids.get(`${ref.kind}/${ref.name}`);
            if (!uid) throw new Error(`${o.kind}/${o.metadata.name}: owner ${ref.kind}/${ref.name} not created yet`);
            ref.uid = uid;
          }
          if (kind === 'Endpoints') {
            for (const s of body.subsets ?? []) {
              for (const a of [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])]) {
                if (a.targetRef?.kind === 'Pod') {
                  delete a.targetRef.resourceVersion;
                  const uid = uids.get(`Pod/${a.targetRef.name}`);
                  if (uid) a.targetRef.uid = uid;
                  else delete a.targetRef.uid;
                }
              }
            }
          }
          const url = collectionPath(o, c.namespace);
          let obj = await apiOk<KObject>('POST', url, body, k);
          if (status && WITH_STATUS.has(kind)) {
            obj = await apiOk<KObject>('PATCH', `${url}/${o.metadata.name}/status`, { status }, { ...k, contentType: 'application/merge-patch+json' });
          }
          uids.set(`${kind}/${o.metadata.name}`, obj.metadata.uid!);
          created.push(obj);
        }),
    );
  }
  return created;
}

export function clusterPath(c: ClusterObjects): string {
  const [group, version] = c.apiVersion.split('/');
  return `/apis/${group}/${version}/namespaces/${c.namespace}/postgresclusters/${c.name}`;
}

/** The incident: a switchover requested to the instance that is already primary (PGO's
 *  `patronictl switchover` fails on every reconcile, so the request stays pending), then the
 *  replica's StatefulSet and pod deleted with its pgdata PVC kept. */
export async function makeIncident(c: ClusterObjects, opts: { kubeconfig?: string } = {}): Promise<void> {
  const k = { kubeconfig: opts.kubeconfig };
  const merge = { ...k, contentType: 'application/merge-patch+json' };
  // The format `date` prints, as PGO's documentation suggests for the trigger.
  const d = new Date();
  const [wd, mon] = [d.toUTCString().slice(0, 3), d.toUTCString().slice(8, 11)];
  const trigger = `${wd} ${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)} UTC ${d.getUTCFullYear()}`;
  await apiOk(
    'PATCH',
    clusterPath(c),
    {
      metadata: { annotations: { [LABEL.triggerSwitchover]: trigger } },
      spec: { patroni: { switchover: { enabled: true, targetInstance: c.primary.instance, type: 'Switchover' } } },
    },
    merge,
  );
  // The last switchover PGO completed was an earlier trigger: the new one is pending.
  await apiOk('PATCH', `${clusterPath(c)}/status`, { status: { patroni: { switchover: 'Wed Nov 25 17:00:00 UTC 2026', switchoverTimeline: 3 } } }, merge);
  const ns = c.namespace;
  const gone = { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, propagationPolicy: 'Background' };
  await apiOk('DELETE', `/apis/apps/v1/namespaces/${ns}/statefulsets/${c.replica.instance}`, gone, k);
  await apiOk('DELETE', `/api/v1/namespaces/${ns}/pods/${c.replica.pod}`, gone, k);
  // The pgdata PVC stays: PGO would reuse it if it could get past the switchover step.
}

/** Creates the Node the test pods are bound to, marked Ready. Idempotent. */
export async function ensureTestNode(opts: { kubeconfig?: string } = {}): Promise<void> {
  const k = { kubeconfig: opts.kubeconfig };
  await apiOk('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: TEST_NODE, labels: { 'kpgo.test/e2e': 'true' } } }, { ...k, okStatus: [409] });
  await heartbeat(k);
}

/** Marks the test node Ready with a fresh heartbeat. Only matters when a controller manager
 *  runs (phase 3, or a shared dev sandbox started with --pods): its node lifecycle controller
 *  would otherwise mark every pod on a silent node NotReady. */
async function heartbeat(k: { kubeconfig?: string }): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await api(
    'PATCH',
    `/api/v1/nodes/${TEST_NODE}/status`,
    { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kpgo e2e test node', lastHeartbeatTime: now, lastTransitionTime: now }] } },
    { ...k, contentType: 'application/strategic-merge-patch+json' },
  );
}

/** Keeps the test node's heartbeat fresh while a suite runs; returns a stop function. */
export function keepTestNodeAlive(opts: { kubeconfig?: string } = {}): () => void {
  const timer = setInterval(() => void heartbeat({ kubeconfig: opts.kubeconfig }).catch(() => {}), 10_000);
  timer.unref();
  return () => clearInterval(timer);
}

/** The operator as `status` sees it when PGO is installed: the `pgo` Deployment of the
 *  kustomize install (labels, image and env of ../shared/fixtures/pgo/<v>/manager.yaml), its
 *  ReplicaSet and one Ready pod, with status written as the controllers would. Nothing runs. */
export async function createOperatorStandIn(version: PgoVersion, namespace: string, opts: { kubeconfig?: string } = {}): Promise<void> {
  const k = { kubeconfig: opts.kubeconfig };
  const merge = { ...k, contentType: 'application/merge-patch+json' };
  const v = version.slice(1);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const manager = (loadAll(readFileSync(path.join(sharedDir, 'fixtures/pgo', version, 'manager.yaml'), 'utf8')) as any[]).find((d) => d?.kind === 'Deployment');
  const labels = { [LABEL.controlPlane]: 'postgres-operator', 'app.kubernetes.io/name': 'pgo', 'app.kubernetes.io/version': v };
  const hash = '5d8f7c9b4';
  const template = structuredClone(manager.spec.template);
  template.metadata = { labels: { ...labels } };
  for (const c of template.spec.containers) if (c.name === 'operator') c.image = `registry.developers.crunchydata.com/crunchydata/postgres-operator:ubi9-${v}-0`;
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await apiOk('POST', `/api/v1/namespaces/${namespace}/serviceaccounts`, { metadata: { name: template.spec.serviceAccountName ?? 'pgo' } }, { ...k, okStatus: [409] });
  const dep = await apiOk<KObject>('POST', `/apis/apps/v1/namespaces/${namespace}/deployments`, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'pgo', labels },
    spec: { ...manager.spec, selector: { matchLabels: { [LABEL.controlPlane]: 'postgres-operator' } }, template },
  }, k);
  await apiOk('PATCH', `/apis/apps/v1/namespaces/${namespace}/deployments/pgo/status`, {
    status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1,
      conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: now, lastTransitionTime: now }] },
  }, merge);
  const podLabels = { ...labels, 'pod-template-hash': hash };
  const owner = (kind: string, o: KObject) => [{ apiVersion: 'apps/v1', kind, name: o.metadata.name, uid: o.metadata.uid!, controller: true, blockOwnerDeletion: true }];
  const rs = await apiOk<KObject>('POST', `/apis/apps/v1/namespaces/${namespace}/replicasets`, {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: `pgo-${hash}`, labels: podLabels, ownerReferences: owner('Deployment', dep) },
    spec: { replicas: 1, selector: { matchLabels: { [LABEL.controlPlane]: 'postgres-operator', 'pod-template-hash': hash } }, template: { ...template, metadata: { labels: podLabels } } },
  }, k);
  await apiOk('PATCH', `/apis/apps/v1/namespaces/${namespace}/replicasets/pgo-${hash}/status`, { status: { replicas: 1, readyReplicas: 1, availableReplicas: 1, fullyLabeledReplicas: 1, observedGeneration: 1 } }, merge);
  const podName = `pgo-${hash}-x7k2p`;
  await apiOk('POST', `/api/v1/namespaces/${namespace}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: podName, labels: podLabels, ownerReferences: owner('ReplicaSet', rs) },
    spec: { ...template.spec, nodeName: TEST_NODE },
  }, k);
  const cond = (type: string) => ({ type, status: 'True', lastTransitionTime: now, lastProbeTime: null });
  await apiOk('PATCH', `/api/v1/namespaces/${namespace}/pods/${podName}/status`, {
    status: {
      phase: 'Running', hostIP: '10.244.255.1', podIP: '10.244.255.2', startTime: now,
      conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map(cond),
      containerStatuses: template.spec.containers.map((c: { name: string; image: string }) => ({ name: c.name, image: c.image, imageID: '', ready: true, restartCount: 0, started: true, state: { running: { startedAt: now } } })),
    },
  }, merge);
}
