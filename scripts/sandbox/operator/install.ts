// The operator's install objects as PGO's kustomize install makes them (namespace
// postgres-operator, commonLabels control-plane=postgres-operator): the ServiceAccount, the
// ClusterRole from the fixture's rbac-role.yaml and its binding, and Deployment pgo from the
// fixture's manager.yaml. Pure: the supervisor applies what this returns.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadAll } from 'js-yaml';
import type { KObj } from '../kube/types.ts';

export const NAMESPACE = 'postgres-operator';
export const CONTROL_PLANE = 'postgres-operator.crunchydata.com/control-plane';
export const SELECTOR = { [CONTROL_PLANE]: 'postgres-operator' };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export function fixtureDir(sharedDir: string, crds: string): string {
  return path.join(sharedDir, 'fixtures/pgo', crds);
}

function readYaml(file: string): Any[] {
  return loadAll(readFileSync(file, 'utf8')).filter(Boolean) as Any[];
}

export function operatorVersion(crds: string): string {
  return crds.replace(/^v/, '');
}

/** The environment PGO's Deployment gives the manager container (fieldRefs resolved). */
export function managerEnv(fixture: string): Record<string, string> {
  const dep = readYaml(path.join(fixture, 'manager.yaml')).find((d) => d.kind === 'Deployment');
  const env: Record<string, string> = {};
  for (const e of dep.spec.template.spec.containers[0].env ?? []) {
    if (e.value !== undefined) env[e.name] = String(e.value);
    else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') env[e.name] = NAMESPACE;
  }
  return env;
}

export function installObjects(fixture: string, crds: string): KObj[] {
  const version = operatorVersion(crds);
  const labels = { ...SELECTOR, 'app.kubernetes.io/name': 'pgo', 'app.kubernetes.io/version': version };
  const dep = structuredClone(readYaml(path.join(fixture, 'manager.yaml')).find((d) => d.kind === 'Deployment'));
  dep.apiVersion = 'apps/v1';
  dep.metadata = { name: 'pgo', namespace: NAMESPACE, labels };
  dep.spec.selector = { matchLabels: SELECTOR };
  dep.spec.template.metadata = { labels };
  const c = dep.spec.template.spec.containers[0];
  if (c.image === 'postgres-operator') c.image = `registry.developers.crunchydata.com/crunchydata/postgres-operator:ubi9-${version}-0`;
  const role = readYaml(path.join(fixture, 'rbac-role.yaml')).find((d) => d.kind === 'ClusterRole');
  role.metadata = { name: role.metadata.name, labels: SELECTOR };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE, labels: SELECTOR } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'pgo', namespace: NAMESPACE, labels: SELECTOR } },
    role,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'postgres-operator', labels: SELECTOR },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name },
      subjects: [{ kind: 'ServiceAccount', name: 'pgo', namespace: NAMESPACE }],
    },
    dep,
  ];
}
