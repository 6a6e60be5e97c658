// Objects the validated reading layer (lib/snapshot/shape.ts) could not fully read. Whatever was
// left out is not concluded from: the finding names the object and the field, and the cluster it
// belongs to is Unknown, never Healthy.
import type { Finding, Unreadable } from '../model/types.ts';
import { KNOWN_PGC_VERSIONS } from '../snapshot/shape.ts';
import type { ClusterView } from '../view/cluster-view.ts';
import { finding, type Check, type CheckContext } from './context.ts';

export const UNREADABLE = 'UnreadableObject';

function fieldsText(u: Unreadable): string {
  const named = u.fields.map((f) => `${f.field} (${f.found === 'nothing' ? 'missing' : `found ${f.found}`})`).join(', ');
  return named + (u.more ? `, and ${u.more} more` : '');
}

function describeOne(u: Unreadable, v: ClusterView | undefined): Omit<Finding, 'cluster'> {
  const ns = u.namespace ?? v?.namespace;
  const who = `${u.kind} ${ns ? `${ns}/` : ''}${u.name ?? '(no name)'}`;
  const own = u.kind === 'PostgresCluster';
  const version = u.fields.some((f) => f.field === 'apiVersion');
  const look = u.name ? `kubectl get ${u.kind.toLowerCase()} ${u.name}${ns ? ` -n ${ns}` : ''} -o yaml` : undefined;
  return {
    code: UNREADABLE,
    severity: own ? 'error' : 'warning',
    subject: `${u.kind}/${u.name ?? '(no name)'}`,
    message: u.dropped ? `${who} could not be read and was left out: ${fieldsText(u)}` : `Cannot read ${fieldsText(u)} of ${who}`,
    detail: (own
      ? 'The spec or status of this PostgresCluster does not have the shape the checks read, so what it asks for is not known: its health is Unknown, not Healthy. '
      : 'The field does not have the shape Kubernetes gives it; it was left out and nothing is concluded from it (readiness, roles, restarts), so the cluster it belongs to is Unknown. ') +
      'Everything else was read and is reported.',
    remedy: version
      ? `This plugin reads PostgresCluster ${KNOWN_PGC_VERSIONS.join(' and ')}: use a kubectl-pgo release that knows this version, or read the cluster at a version it serves that this one knows.${look ? `\n  ${look}` : ''}`
      : `Look at the object as the API server holds it${u.list === 'postgresClusters' || !look ? '' : ' (a --from dump may have been edited by hand)'}:${look ? `\n  ${look}` : ' it has no name to look it up by.'}`,
    data: { kind: u.kind, namespace: ns ?? null, name: u.name ?? null, fields: u.fields.map((f) => f.field), more: u.more, dropped: u.dropped },
  };
}

function run(ctx: CheckContext): Finding[] {
  const byCluster = new Map(ctx.views.map((v) => [`${v.namespace}/${v.name}`, v]));
  return (ctx.snap.unreadable ?? []).map((u) => {
    const v = u.cluster !== undefined ? byCluster.get(`${u.namespace ?? ''}/${u.cluster}`) : undefined;
    return finding(v ?? null, { ...describeOne(u, v) });
  });
}

/** Findings concluded from a PostgresCluster's spec or status. When that object could not be read
 *  whole they may be false (no spec reads as "backups removed", every instance as orphaned), so
 *  they are left out for that cluster; what pods, Patroni and PGO's own words say stays. */
const FROM_THE_CLUSTER_OBJECT = new Set([
  'InvalidStandbyConfiguration', 'ReconcilePaused', 'ClusterShutdown', 'SwitchoverBlocked', 'SwitchoverPending',
  'SwitchoverLeftEnabled', 'SwitchoverNotEffective', 'SwitchoverTriggerLeft', 'InstanceMissing', 'InstanceOrphaned',
  'RepoHostMissing', 'PgBouncerUnavailable',
]);

export function withoutUnfounded(findings: Finding[]): Finding[] {
  const unread = new Set(findings
    .filter((f) => f.code === UNREADABLE && f.cluster && f.subject === `PostgresCluster/${f.cluster.name}`)
    .map((f) => `${f.cluster!.namespace}/${f.cluster!.name}`));
  if (unread.size === 0) return findings;
  return findings.filter((f) => !(f.cluster && unread.has(`${f.cluster.namespace}/${f.cluster.name}`) && FROM_THE_CLUSTER_OBJECT.has(f.code)));
}

/** Phase 1: later checks and the health rule see it. */
export const unreadableCheck: Check = { codes: [UNREADABLE], phase: 1, run };
