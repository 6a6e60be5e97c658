// What could not be read. A forbidden LIST does not stop the report: the part it covers is
// Unknown and the finding names the permission that is missing.
import type { Finding, Gap } from '../model/types.ts';
import type { Check, CheckContext } from './context.ts';
import { finding } from './context.ts';
import { gapTouches } from '../view/cluster-view.ts';

/** Resources whose absence leaves a cluster's health undecided. Events and Services only add
 *  context; nothing is concluded from them. */
export const HEALTH_RESOURCES = new Set([
  'postgresclusters', 'statefulsets', 'pods', 'persistentvolumeclaims', 'endpoints', 'deployments', 'jobs',
]);

const where = (g: Gap) => (g.namespace ? `in namespace ${g.namespace}` : 'at cluster scope');

function describeGap(g: Gap, operatorLookup: boolean) {
  const denied = g.status === 403 || /forbidden/i.test(g.message);
  const resource = g.resource.split('.')[0];
  const operatorLog = g.resource === 'pods/log';
  const consequence = operatorLog
    ? "PGO's own log could not be read, so reconcile errors it logs (ReconcileFailing, and the log's confirmation of other findings) are not reported; the rest is."
    : operatorLookup
      ? 'The operator is looked for in every namespace; without this, whether it runs (and which version) is unknown, so operator findings are left out.'
      : `What depends on ${resource} is reported as Unknown, not as absent.`;
  // kubectl auth can-i names a subresource with --subresource (pods/log would be the pod "log").
  const [what, sub] = g.resource.split('/');
  const canI = `kubectl auth can-i ${g.verb} ${what}${sub ? ` --subresource=${sub}` : ''}`;
  return {
    code: denied ? 'PermissionDenied' : 'DataUnavailable',
    subject: g.resource,
    message: denied
      ? `Cannot ${g.verb} ${g.resource} ${where(g)}: forbidden`
      : `Could not ${g.verb} ${g.resource} ${where(g)}: ${g.message}`,
    detail: consequence + (denied ? '' : ` (${g.message})`),
    remedy: denied
      ? `Ask for "${g.verb}" on ${g.resource} ${where(g)} (see \`kubectl pgo status --help\` for the RBAC table); check with:\n  ${canI}${g.namespace ? ` -n ${g.namespace}` : ' --all-namespaces'}`
      : 'Run the command again; if it keeps failing, check the API server with `kubectl get --raw /readyz`.',
    data: { verb: g.verb, resource: g.resource, namespace: g.namespace ?? null, status: g.status ?? null },
  };
}

function run(ctx: CheckContext): Finding[] {
  const out: Finding[] = [];
  for (const g of ctx.snap.gaps) {
    const operatorLookup = !g.namespace && !ctx.snap.scope.allNamespaces;
    const d = describeGap(g, operatorLookup);
    // A namespaced gap is told per cluster it hides; a cluster-wide one once, for all.
    const touched = g.namespace ? ctx.views.filter((v) => gapTouches(ctx.snap, g, v.namespace)) : [];
    if (touched.length === 0) out.push(finding(null, { ...d, severity: 'info' }));
    for (const v of touched) out.push(finding(v, { ...d, severity: 'info' }));
  }
  return out;
}

export const gapsCheck: Check = { codes: ['PermissionDenied', 'DataUnavailable'], phase: 2, run };
