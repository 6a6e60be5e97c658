// Tests only: `kubectl get -o yaml` output (a List, a multi-document stream, or several files)
// turned into a Snapshot by kind, the way the collector files what it lists.
// The real loader is lib/snapshot/from-file.ts; this stays small so check tests do not depend on it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAll } from 'js-yaml';
import type { Gap, KObject, Snapshot } from '../../lib/model/types.ts';
import { LABEL } from '../../lib/model/types.ts';
import { fromPgo } from '../../lib/model/pgo-component.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = path.resolve(repoRoot, '../shared');
export const recorded = (version: string, file: string) => path.join(sharedDir, 'fixtures/pgo', version, 'recorded', file);
export const fixture = (rel: string) => path.join(repoRoot, 'test/fixtures', rel);

export interface FromYamlOptions {
  /** Whether the operator was looked for; default: true when the files hold an operator Deployment. */
  operatorKnown?: boolean;
  gaps?: Gap[];
  takenAt?: string;
}

function objectsOf(doc: unknown): KObject[] {
  if (!doc || typeof doc !== 'object') return [];
  const o = doc as KObject;
  if (Array.isArray(o.items) && (o.kind === 'List' || String(o.kind ?? '').endsWith('List'))) return o.items.flatMap(objectsOf);
  return o.metadata ? [o] : [];
}

export function objectsFromYaml(text: string): KObject[] {
  return loadAll(text).flatMap(objectsOf);
}

export function snapshotFromObjects(objects: KObject[], opts: FromYamlOptions = {}): Snapshot {
  const snap: Snapshot = {
    schemaVersion: 1,
    takenAt: opts.takenAt ?? '2026-11-25T17:12:30Z',
    source: { kind: 'file', path: 'test' },
    scope: { allNamespaces: true },
    pgo: { apiVersions: [] },
    operator: { known: false, deployments: [], pods: [] },
    objects: { postgresClusters: [], statefulSets: [], pods: [], pvcs: [], endpoints: [], services: [], deployments: [], jobs: [], events: [] },
    gaps: opts.gaps ?? [],
  };
  const versions = new Set<string>();
  for (const o of objects) {
    const controlPlane = LABEL.controlPlane in (o.metadata.labels ?? {});
    // Like the collector: events about PostgresClusters, other objects by the cluster label.
    const ofCluster = LABEL.cluster in (o.metadata.labels ?? {});
    if (['StatefulSet', 'PersistentVolumeClaim', 'Endpoints', 'Service', 'Job'].includes(String(o.kind)) && !ofCluster) continue;
    if (o.kind === 'Pod' && !ofCluster && !controlPlane) continue;
    // As the loader: events about a PostgresCluster, and PGO's Warning Events about anything of it.
    if (o.kind === 'Event' && (o.involvedObject ?? o.regarding)?.kind !== 'PostgresCluster' && !(o.type === 'Warning' && fromPgo(o))) continue;
    switch (o.kind) {
      case 'PostgresCluster':
        snap.objects.postgresClusters.push(o);
        if (o.apiVersion) versions.add(o.apiVersion.split('/').pop()!);
        break;
      case 'StatefulSet': snap.objects.statefulSets.push(o); break;
      case 'Pod':
        if (controlPlane) snap.operator.pods.push(o);
        else snap.objects.pods.push(o);
        break;
      case 'PersistentVolumeClaim': snap.objects.pvcs.push(o); break;
      case 'Endpoints': snap.objects.endpoints.push(o); break;
      case 'Service': snap.objects.services.push(o); break;
      case 'Deployment':
        if (controlPlane || LABEL.controlPlane in (o.spec?.template?.metadata?.labels ?? {})) snap.operator.deployments.push(o);
        else if (ofCluster) snap.objects.deployments.push(o);
        break;
      case 'Job': snap.objects.jobs.push(o); break;
      case 'Event': snap.objects.events.push(o); break;
      case 'CustomResourceDefinition':
        if (o.metadata.name === 'postgresclusters.postgres-operator.crunchydata.com') {
          snap.pgo.crdVersion = o.metadata.labels?.['app.kubernetes.io/version'];
          for (const v of o.spec?.versions ?? []) if (v.served) versions.add(v.name);
        }
        break;
      default: break; // ConfigMaps, Roles... are not part of a snapshot
    }
  }
  snap.pgo.apiVersions = [...versions].sort().reverse();
  snap.operator.known = opts.operatorKnown ?? (snap.operator.deployments.length > 0 || snap.operator.pods.length > 0);
  return snap;
}

export function snapshotFromYaml(files: string | string[], opts: FromYamlOptions = {}): Snapshot {
  const list = Array.isArray(files) ? files : [files];
  return snapshotFromObjects(list.flatMap((f) => objectsFromYaml(readFileSync(f, 'utf8'))), opts);
}

/** A deep copy to change in one test without touching the others. */
export function clone<T>(v: T): T {
  return structuredClone(v);
}
