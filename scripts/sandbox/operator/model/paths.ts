// API paths of the kinds the model reads and writes.
import { GROUP } from './naming.ts';

const core = (plural: string) => (ns: string, name = '') => `/api/v1/namespaces/${ns}/${plural}${name ? '/' + name : ''}`;
const group = (g: string, v: string, plural: string) => (ns: string, name = '') => `/apis/${g}/${v}/namespaces/${ns}/${plural}${name ? '/' + name : ''}`;

export const PATH = {
  Service: core('services'),
  Endpoints: core('endpoints'),
  ConfigMap: core('configmaps'),
  PersistentVolumeClaim: core('persistentvolumeclaims'),
  ServiceAccount: core('serviceaccounts'),
  Pod: core('pods'),
  Secret: core('secrets'),
  Event: core('events'),
  StatefulSet: group('apps', 'v1', 'statefulsets'),
  Role: group('rbac.authorization.k8s.io', 'v1', 'roles'),
  RoleBinding: group('rbac.authorization.k8s.io', 'v1', 'rolebindings'),
  PostgresCluster: group(GROUP, 'v1beta1', 'postgresclusters'),
  Job: group('batch', 'v1', 'jobs'),
} as const;

export type Kind = keyof typeof PATH;

/** Cluster-wide list/watch paths. */
export const ALL = {
  PostgresCluster: `/apis/${GROUP}/v1beta1/postgresclusters`,
  StatefulSet: '/apis/apps/v1/statefulsets',
  Pod: '/api/v1/pods',
  PersistentVolumeClaim: '/api/v1/persistentvolumeclaims',
  Service: '/api/v1/services',
  Endpoints: '/api/v1/endpoints',
  ConfigMap: '/api/v1/configmaps',
  ServiceAccount: '/api/v1/serviceaccounts',
  Role: '/apis/rbac.authorization.k8s.io/v1/roles',
  RoleBinding: '/apis/rbac.authorization.k8s.io/v1/rolebindings',
  Job: '/apis/batch/v1/jobs',
} as const;
