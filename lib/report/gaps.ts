// Gaps (what the collector could not read) in the words a person hands to their cluster admin.
import type { Gap } from '../model/types.ts';
import type { ReportGap } from './schema.ts';

// API group per resource, so the permission reads like an RBAC rule / `kubectl auth can-i` argument.
const GROUP: Record<string, string> = {
  postgresclusters: 'postgres-operator.crunchydata.com',
  statefulsets: 'apps',
  deployments: 'apps',
  jobs: 'batch',
  customresourcedefinitions: 'apiextensions.k8s.io',
};

export function permissionOf(verb: string, resource: string): string {
  const group = resource.includes('.') ? undefined : GROUP[resource];
  return `${verb} ${group ? `${resource}.${group}` : resource}`;
}

function reasonOf(g: Gap): string {
  switch (g.status) {
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not found';
    case 408:
    case 504:
      return 'timed out';
    default:
      return (g.message || 'failed').split('\n')[0];
  }
}

export function reportGap(g: Gap): ReportGap {
  return {
    verb: g.verb,
    resource: g.resource,
    namespace: g.namespace ?? null,
    status: g.status ?? null,
    reason: reasonOf(g),
    message: (g.message || '').split('\n')[0],
    permission: permissionOf(g.verb, g.resource),
  };
}

/** One line, e.g. `Warning: cannot list pods in namespace "db": forbidden (ask for: list pods)`. */
export function gapLine(g: ReportGap): string {
  const where = g.namespace === null ? 'at the cluster scope' : `in namespace "${g.namespace}"`;
  return `Warning: cannot ${g.verb} ${g.resource} ${where}: ${g.reason} (ask for: ${g.permission})`;
}

/** The Warning lines of a verb that goes on without what it could not read (heal, switchover, diff). */
export function gapLines(gaps: Gap[]): string {
  return gaps.map((g) => `${gapLine(reportGap(g))}\n`).join('');
}

/** Does this gap hide something of a cluster in `namespace`? */
export function gapTouches(g: ReportGap, namespace: string): boolean {
  return g.namespace === null || g.namespace === namespace;
}
