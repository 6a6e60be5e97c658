// Cluster-wide switches that stop PGO before it looks at instances: spec.paused, the
// backup-removal pause, an invalid standby spec; and spec.shutdown, which is on purpose.
import type { Finding } from '../model/types.ts';
import { LABEL } from '../model/types.ts';
import type { ClusterView } from '../view/cluster-view.ts';
import { annotate, heal, mergePatch } from './commands.ts';
import { finding, type Check } from './context.ts';

function progressingPaused(v: ClusterView): { message?: string } | undefined {
  const conds: Array<{ type?: string; status?: string; reason?: string; message?: string }> = v.object.status?.conditions ?? [];
  const c = conds.find((x) => x.type === 'Progressing' && x.status === 'False' && x.reason === 'Paused');
  return c ? { message: c.message } : undefined;
}

function checkCluster(v: ClusterView): Finding[] {
  const out: Finding[] = [];
  const spec = v.object.spec ?? {};
  const subject = `PostgresCluster/${v.name}`;

  const standby = spec.standby;
  if (standby?.enabled === true && !standby.host && !standby.repoName) {
    out.push(finding(v, {
      code: 'InvalidStandbyConfiguration',
      severity: 'error',
      subject,
      message: 'spec.standby.enabled is true but neither spec.standby.host nor spec.standby.repoName is set',
      detail: 'PGO refuses such a cluster at the start of every reconcile (Warning event InvalidStandbyConfiguration: ' +
        '"Standby requires a host or repoName to be enabled") and does nothing else for it.',
      remedy: `Name the source of the standby (a pgBackRest repo or a primary host), e.g.:\n  ${mergePatch(v, { spec: { standby: { repoName: 'repo1' } } })}\n` +
        `or turn standby off:\n  ${mergePatch(v, { spec: { standby: { enabled: false } } })}`,
      blocking: true,
      data: { host: standby.host ?? null, repoName: standby.repoName ?? null },
    }));
  }

  if (v.paused) {
    out.push(finding(v, {
      code: 'ReconcilePaused',
      severity: 'error',
      subject,
      message: `spec.paused is true: PGO does not reconcile ${v.namespace}/${v.name}`,
      detail: 'While paused PGO changes nothing: missing instances, users, backups and pgBouncer stay as they are.',
      remedy: `Resume reconciliation when you are ready:\n  ${mergePatch(v, { spec: { paused: false } })}\nor run \`${heal(v)} --unpause\`.`,
      blocking: true,
      data: { reason: 'SpecPaused' },
    }));
  } else {
    const authorised = v.object.metadata.annotations?.[LABEL.authorizeBackupRemoval] === 'true';
    const cond = progressingPaused(v);
    if (!spec.backups && v.repoHost && !authorised) {
      out.push(finding(v, {
        code: 'ReconcilePaused',
        severity: 'error',
        subject,
        message: `spec.backups was removed while the pgBackRest repo host ${v.repoHost.metadata.name} still exists: PGO paused ${v.namespace}/${v.name}`,
        detail: 'PGO will not delete backups unless told to: until spec.backups is back or removal is authorised it stops reconciling the cluster ' +
          `(condition Progressing=False, reason Paused${cond?.message ? `: "${cond.message}"` : ''}).`,
        remedy: 'Either put spec.backups back (re-apply your manifest with its backups section), or, if the backups may really be deleted:\n' +
          `  ${annotate(v, LABEL.authorizeBackupRemoval, 'true')}\n(this deletes the repo host and its backups)`,
        blocking: true,
        data: { reason: 'BackupRemoval', repoHost: v.repoHost.metadata.name },
      }));
    }
  }

  if (v.shutdown) {
    out.push(finding(v, {
      code: 'ClusterShutdown',
      severity: 'info',
      subject,
      message: `spec.shutdown is true: every instance of ${v.namespace}/${v.name} is scaled to 0 on purpose`,
      detail: 'PGO keeps the StatefulSets and volumes and runs no pods; the database is down until shutdown is turned off.',
      remedy: `To start it again:\n  ${mergePatch(v, { spec: { shutdown: false } })}`,
    }));
  }
  return out;
}

export const reconcileCheck: Check = {
  codes: ['InvalidStandbyConfiguration', 'ReconcilePaused', 'ClusterShutdown'],
  phase: 1,
  run: (ctx) => ctx.views.flatMap(checkCluster),
};
