// `diff -f`: the live PostgresCluster against what the server would make of a manifest, using a
// server-side dry-run apply so that defaults and validation are the server's own.
import { dump } from 'js-yaml';
import type { ApiClient } from '../kube/api.ts';
import type { KObject } from '../model/types.ts';
import { ExitError } from '../cli/exit.ts';
import { FIELD_MANAGER } from '../kube/client.ts';
import { unifiedDiff } from './unified.ts';

const GROUP = 'postgres-operator.crunchydata.com';

export function clusterPath(version: string, namespace: string, name: string): string {
  return `/apis/${GROUP}/${version}/namespaces/${encodeURIComponent(namespace)}/postgresclusters/${encodeURIComponent(name)}`;
}

/** Checks that a parsed document is a PostgresCluster manifest we can diff; returns it with its namespace settled. */
export function validateManifest(doc: unknown, source: string, defaultNamespace: string): KObject {
  const m = doc as KObject | null;
  if (!m || typeof m !== 'object' || Array.isArray(m)) throw new ExitError(`error: ${source}: not a Kubernetes object`, 2);
  if (m.kind !== 'PostgresCluster') {
    throw new ExitError(`error: ${source}: kind is ${JSON.stringify(m.kind ?? null)}, expected PostgresCluster`, 2);
  }
  if (typeof m.apiVersion !== 'string' || !m.apiVersion.startsWith(`${GROUP}/`)) {
    throw new ExitError(`error: ${source}: apiVersion ${JSON.stringify(m.apiVersion ?? null)} is not ${GROUP}/<version>`, 2);
  }
  if (!m.metadata?.name) throw new ExitError(`error: ${source}: metadata.name is required`, 2);
  return { ...m, metadata: { ...m.metadata, namespace: m.metadata.namespace ?? defaultNamespace } };
}

/** The object as a person reads it in a diff: no server bookkeeping, keys sorted. */
export function displayYaml(obj: KObject | null): string {
  if (!obj) return '';
  const { managedFields: _m, resourceVersion: _r, generation: _g, uid: _u, creationTimestamp: _c, ...meta } = obj.metadata as KObject['metadata'] & {
    managedFields?: unknown;
  };
  const annotations = { ...(meta.annotations ?? {}) };
  delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  const clean: KObject = { ...obj, metadata: { ...meta, annotations: Object.keys(annotations).length ? annotations : undefined } };
  delete clean.status;
  return dump(JSON.parse(JSON.stringify(clean)), { sortKeys: true, lineWidth: -1, noRefs: true });
}

export interface PredictedChange {
  live: KObject | null;
  predicted: KObject;
  diff: string;
}

/** The live object with the manifest's spec, labels and annotations: what applying it would store. */
export function desiredOver(live: KObject, manifest: KObject): KObject {
  const annotations = { ...(live.metadata.annotations ?? {}), ...(manifest.metadata.annotations ?? {}) };
  const labels = { ...(live.metadata.labels ?? {}), ...(manifest.metadata.labels ?? {}) };
  return {
    apiVersion: manifest.apiVersion,
    kind: 'PostgresCluster',
    metadata: { ...live.metadata, labels, annotations },
    spec: manifest.spec,
  };
}

export async function predictApply(client: ApiClient, manifest: KObject): Promise<PredictedChange> {
  const version = manifest.apiVersion!.split('/')[1];
  const path = clusterPath(version, manifest.metadata.namespace!, manifest.metadata.name);
  let live: KObject | null = null;
  try {
    live = await client.request<KObject>({ method: 'GET', path });
  } catch (e) {
    if ((e as { status?: number }).status !== 404) throw e;
  }
  // The manifest is the whole desired object, as a person means it when they edit and apply a
  // full manifest: a dry-run update (or create) lets the server default and validate it. A
  // server-side apply would keep fields other managers own, so a removed instance set would not
  // show as removed.
  const predicted = live
    ? await client.request<KObject>({ method: 'PUT', path, query: { dryRun: 'All', fieldManager: FIELD_MANAGER }, body: desiredOver(live, manifest) })
    : await client.request<KObject>({
        method: 'POST',
        path: path.slice(0, path.lastIndexOf('/')),
        query: { dryRun: 'All', fieldManager: FIELD_MANAGER },
        body: manifest,
      });
  const ref = `${manifest.metadata.namespace}/${manifest.metadata.name}`;
  const diff = unifiedDiff(displayYaml(live), displayYaml(predicted), { from: `live/${ref}`, to: `merged/${ref}` });
  return { live, predicted, diff };
}
