// The parts around the database PGO also keeps: the pgBackRest repo host, pgBouncer, backups.
import type { Finding, KObject } from '../model/types.ts';
import { LABEL } from '../model/types.ts';
import type { ClusterView } from '../view/cluster-view.ts';
import { disableSwitchover, heal, removeTrigger } from './commands.ts';
import { blockerOf, finding, readable, type Check, type CheckContext } from './context.ts';

function waitOrUnblock(ctx: CheckContext, v: ClusterView, what: string, step: string): { detail: string; remedy: string; blocker?: Finding } {
  const blocker = blockerOf(ctx, v, step);
  if (!blocker) {
    return {
      detail: `Nothing visible stops PGO from creating ${what} on its next reconcile.`,
      remedy: `Wait a few seconds; if it does not appear, look for errors about ${v.name} in the operator's log and in:\n  kubectl get events -n ${v.namespace} --field-selector involvedObject.name=${v.name}`,
    };
  }
  const err = typeof blocker.data?.operatorError === 'string' ? ` (PGO logs "${blocker.data.operatorError}")` : '';
  return {
    blocker,
    detail: `PGO cannot create ${what}: ${blocker.code} stops every reconcile before that step${err}.`,
    remedy: blocker.code === 'SwitchoverBlocked'
      ? `Clear the pending switchover first:\n  ${disableSwitchover(v)}\n  ${removeTrigger(v)}\nor run \`${heal(v)}\`.`
      : `Resolve ${blocker.code} first; PGO then creates it by itself. ${blocker.remedy}`,
  };
}

function repoHost(ctx: CheckContext, v: ClusterView): Finding[] {
  const repos: Array<{ name?: string; volume?: unknown }> = v.object.spec?.backups?.pgbackrest?.repos ?? [];
  const volumeRepos = repos.filter((r) => r.volume).map((r) => r.name ?? '?');
  if (!volumeRepos.length || v.repoHost || !readable(v, 'statefulsets') || v.shutdown) return [];
  const w = waitOrUnblock(ctx, v, `StatefulSet ${v.name}-repo-host`, 'reconcilePGBackRest');
  return [finding(v, {
    code: 'RepoHostMissing',
    severity: 'error',
    subject: `StatefulSet/${v.name}-repo-host`,
    message: `Backups use the volume repo ${volumeRepos.join(', ')} but the repo host StatefulSet ${v.name}-repo-host does not exist`,
    detail: `Without the repo host no backup runs and WAL archiving to ${volumeRepos.join(', ')} fails, so WAL piles up on the primary's volume. ${w.detail}`,
    remedy: w.remedy,
    blocking: w.blocker ? true : undefined,
    blockedBy: w.blocker?.code,
    data: { repos: volumeRepos },
  })];
}

function pgBouncer(ctx: CheckContext, v: ClusterView): Finding[] {
  const spec = v.object.spec?.proxy?.pgBouncer;
  if (!spec || !readable(v, 'deployments') || v.shutdown) return [];
  const d = v.pgBouncer;
  const name = `${v.name}-pgbouncer`;
  if (!d) {
    const w = waitOrUnblock(ctx, v, `Deployment ${name}`, 'reconcilePGBouncer');
    return [finding(v, {
      code: 'PgBouncerUnavailable',
      severity: 'error',
      subject: `Deployment/${name}`,
      message: `spec.proxy.pgBouncer is set but Deployment ${name} does not exist`,
      detail: `Applications that connect through ${name} cannot connect. ${w.detail}`,
      remedy: w.remedy,
      blocking: w.blocker ? true : undefined,
      blockedBy: w.blocker?.code,
      data: { deployment: name, exists: false, replicas: spec.replicas ?? 1, available: 0 },
    })];
  }
  const wanted = d.spec?.replicas ?? 1;
  const available = d.status?.availableReplicas ?? 0;
  if (wanted === 0 || available > 0) return [];
  return [finding(v, {
    code: 'PgBouncerUnavailable',
    severity: 'error',
    subject: `Deployment/${name}`,
    message: `pgBouncer Deployment ${name} has 0 of ${wanted} replicas available`,
    detail: `Applications that connect through ${name} cannot connect.`,
    remedy: `See why its pods do not become available:\n  kubectl describe deployment ${name} -n ${v.namespace}\n  kubectl get pods -n ${v.namespace} -l ${LABEL.cluster}=${v.name},${LABEL.role}=pgbouncer`,
    data: { deployment: name, exists: true, replicas: wanted, available },
  })];
}

const failed = (j: KObject) => (j.status?.conditions ?? []).find((c: { type?: string; status?: string }) => c.type === 'Failed' && c.status === 'True');

function backups(v: ClusterView): Finding[] {
  if (!readable(v, 'jobs')) return [];
  // The latest Job per repo decides: an old failure followed by a success is history.
  const latest = new Map<string, KObject>();
  for (const j of v.backupJobs) latest.set(j.metadata.labels?.[`${LABEL.prefix}pgbackrest-repo`] ?? '', j);
  const out: Finding[] = [];
  for (const [repo, j] of [...latest].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const f = failed(j);
    if (!f) continue;
    const kind = j.metadata.labels?.[`${LABEL.prefix}pgbackrest-backup`] ?? j.metadata.labels?.[`${LABEL.prefix}pgbackrest-cron`] ?? 'backup';
    const name = j.metadata.name;
    out.push(finding(v, {
      code: 'BackupFailing',
      severity: 'warning',
      subject: `Job/${name}`,
      message: `Latest ${kind} backup${repo ? ` to ${repo}` : ''} failed: Job ${name}` + (f.reason ? ` (${f.reason}${f.message ? `: ${f.message}` : ''})` : ''),
      detail: 'Until a backup succeeds, a restore can only go back to the last good backup' +
        (kind === 'replica-create' ? '; PGO also needs this backup to create new replicas from the repo.' : '.'),
      remedy: `Read the backup's log:\n  kubectl logs -n ${v.namespace} job/${name}\n  kubectl describe job ${name} -n ${v.namespace}`,
      data: { job: name, repo: repo || null, type: kind, reason: f.reason ?? null },
    }));
  }
  return out;
}

export const componentsCheck: Check = {
  codes: ['RepoHostMissing', 'PgBouncerUnavailable', 'BackupFailing'],
  phase: 2,
  run: (ctx) => ctx.views.flatMap((v) => [...repoHost(ctx, v), ...pgBouncer(ctx, v), ...backups(v)]),
};
