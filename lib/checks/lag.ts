// Replication lag from what Patroni publishes (member status annotations and the leader's
// optime), so no exec and no database credentials are needed.
import type { Finding } from '../model/types.ts';
import { finding, formatBytes, readable, type Check, type CheckContext } from './context.ts';

function run(ctx: CheckContext): Finding[] {
  const max = ctx.opts.maxLagBytes;
  const out: Finding[] = [];
  for (const v of ctx.views) {
    if (v.shutdown || !readable(v, 'pods')) continue;
    for (const i of v.instances) {
      if (i.role === 'master' || i.lagBytes === undefined || i.lagBytes <= max) continue;
      const pod = i.pod?.metadata.name ?? i.name;
      out.push(finding(v, {
        code: 'ReplicationLag',
        severity: 'warning',
        subject: `Pod/${pod}`,
        message: `Replica ${i.name} is ${formatBytes(i.lagBytes)} behind the leader${v.leader ? ` ${v.leader}` : ''} (threshold ${formatBytes(max)})`,
        detail: `Computed from Patroni's own reports: the leader's WAL position ${v.leaderOptime} minus ${pod}'s ${i.member?.xlogLocation}` +
          `${i.member?.replicationState ? ` (replication state: ${i.member.replicationState})` : ''}. A lagging replica serves stale reads and ` +
          'Patroni will not promote a replica that is too far behind (maximum_lag_on_failover), so a failover may find no candidate.',
        remedy: `Check the replica's state and log:\n  kubectl exec -n ${v.namespace} ${pod} -c database -- patronictl list\n  kubectl logs -n ${v.namespace} ${pod} -c database` +
          `\nRaise the threshold with --max-lag if this much lag is normal for the workload.`,
        data: { instance: i.name, pod, lagBytes: i.lagBytes, maxLagBytes: max, leader: v.leader ?? null, set: i.set },
      }));
    }
  }
  return out;
}

export const lagCheck: Check = { codes: ['ReplicationLag'], phase: 2, run };
