// Every condition PGO keeps on the PostgresCluster that is False or Unknown, with its type, reason
// and message as PGO wrote them. Several are False for a while on every new cluster (no stanza,
// no backup yet): within CONDITION_GRACE_MS of their last transition they are info, converging;
// after it they count. A condition another check already explains is not said twice.
import type { Finding, Severity } from '../model/types.ts';
import { LABEL } from '../model/types.ts';
import type { ClusterView } from '../view/cluster-view.ts';
import { describe } from './commands.ts';
import { finding, type Check, type CheckContext } from './context.ts';
import { clockTime, span } from './pgo-clock.ts';

/** How long a False condition is taken for normal convergence. */
export const CONDITION_GRACE_MS = 5 * 60_000;

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

interface Known {
  /** Severity once past the grace period. */
  severity: Severity;
  meaning: string;
  remedy(v: ClusterView): string;
  /** Another check already reports what this condition says (RepoHostMissing, PgBouncerUnavailable,
   *  BackupFailing), read from the same objects it reads. */
  covered?(v: ClusterView): boolean;
  /** Reasons that are not a problem at all (e.g. Progressing=False/Paused is ReconcilePaused's). */
  skipReasons?: string[];
}

const sel = (v: ClusterView, extra = '') => `-l ${LABEL.cluster}=${v.name}${extra}`;

// Condition types read from PGO's source (v1beta1 PostgresClusterProgressing, pgbackrest.go's
// Condition* constants, ProxyAvailable, PersistentVolumeResizing).
export const KNOWN_CONDITIONS: Record<string, Known> = {
  Progressing: {
    severity: 'warning',
    meaning: 'PGO is not applying changes to this cluster.',
    remedy: (v) => describe('postgrescluster', v.name, v.namespace),
    skipReasons: ['Paused'],
  },
  PGBackRestRepoHostReady: {
    severity: 'warning',
    meaning: 'The pgBackRest repository host is not ready: backups and WAL archiving to its repos do not work.',
    remedy: (v) => `${describe('statefulset', `${v.name}-repo-host`, v.namespace)}\n  kubectl get pods -n ${v.namespace} ${sel(v, `,${LABEL.pgbackrestDedicated}`)}`,
    covered: (v) => !v.repoHost && (v.object.spec?.backups?.pgbackrest?.repos ?? []).some((r: { volume?: unknown }) => r.volume),
  },
  PGBackRestReplicaRepoReady: {
    // PGO creates the stanza itself; until then it says so here. A stanza that is never created
    // also shows as failing backup Jobs (BackupFailing) and in the operator's log.
    severity: 'info',
    meaning: 'The repo PGO creates replicas from is not ready (its stanza is not created yet).',
    remedy: (v) => `kubectl get pods -n ${v.namespace} ${sel(v, `,${LABEL.pgbackrestDedicated}`)}\n  kubectl logs -n ${v.namespace} statefulset/${v.name}-repo-host`,
  },
  PGBackRestReplicaCreate: {
    severity: 'info',
    meaning: 'PGO cannot yet create replicas from a pgBackRest backup (it waits for the first full backup).',
    remedy: (v) => `kubectl get jobs -n ${v.namespace} ${sel(v, `,${LABEL.prefix}pgbackrest-backup`)}`,
  },
  PGBackRestManualBackupSuccessful: {
    severity: 'warning',
    meaning: 'The manual backup requested through the pgbackrest-backup annotation did not succeed.',
    remedy: (v) => `kubectl get jobs -n ${v.namespace} ${sel(v, `,${LABEL.prefix}pgbackrest-backup=manual`)}\n  kubectl logs -n ${v.namespace} ${sel(v, `,${LABEL.prefix}pgbackrest-backup=manual`)} --tail=50`,
    covered: (v) => v.backupJobs.some((j) => (j.status?.conditions ?? []).some((c: Condition) => c.type === 'Failed' && c.status === 'True')),
  },
  PostgresDataInitialized: {
    severity: 'warning',
    meaning: 'The cluster\'s data directory is not initialized yet (bootstrap or restore from spec.dataSource): PGO waits for it before anything else.',
    remedy: (v) => `kubectl get jobs,pods -n ${v.namespace} ${sel(v, `,${LABEL.prefix}pgbackrest-restore`)}\n  ${describe('postgrescluster', v.name, v.namespace)}`,
  },
  PGBackRestoreProgressing: {
    severity: 'info',
    meaning: 'An in-place pgBackRest restore requested through spec.backups.pgbackrest.restore is not (or no longer) progressing.',
    remedy: (v) => `kubectl get jobs -n ${v.namespace} ${sel(v, `,${LABEL.prefix}pgbackrest-restore`)}`,
  },
  ProxyAvailable: {
    severity: 'warning',
    meaning: 'pgBouncer is not available: applications that connect through it cannot connect.',
    remedy: (v) => describe('deployment', `${v.name}-pgbouncer`, v.namespace),
    covered: (v) => Boolean(v.object.spec?.proxy?.pgBouncer) && (!v.pgBouncer || (v.pgBouncer.status?.availableReplicas ?? 0) === 0),
  },
  PersistentVolumeResizing: {
    severity: 'warning',
    meaning: 'A volume resize PGO requested has not completed.',
    remedy: (v) => `kubectl get pvc -n ${v.namespace} ${sel(v)}\n  kubectl describe pvc -n ${v.namespace} ${sel(v)}`,
  },
};

function conditionFinding(ctx: CheckContext, v: ClusterView, c: Condition): Finding | undefined {
  const type = c.type ?? '';
  if (c.status !== 'False' && c.status !== 'Unknown') return undefined;
  const known = KNOWN_CONDITIONS[type];
  if (known?.skipReasons?.includes(c.reason ?? '') && ctx.earlier.some((f) => f.code === 'ReconcilePaused' && f.cluster?.name === v.name && f.cluster.namespace === v.namespace)) {
    return undefined;
  }
  if (known?.covered?.(v)) return undefined;

  const since = Date.parse(c.lastTransitionTime ?? '');
  const age = Number.isNaN(since) ? undefined : ctx.opts.now.getTime() - since;
  const converging = age !== undefined && age < CONDITION_GRACE_MS;
  const settled = known?.severity ?? 'warning';
  const severity: Severity = converging ? 'info' : settled;
  const stale = typeof c.observedGeneration === 'number' && typeof v.object.metadata.generation === 'number' && c.observedGeneration < v.object.metadata.generation
    ? ` PGO set it for generation ${c.observedGeneration}; the spec is at generation ${v.object.metadata.generation}.` : '';
  const when = age === undefined ? '' : ` since ${clockTime(since)} (${span(age)})`;
  return finding(v, {
    code: 'ConditionNotTrue',
    severity,
    subject: `PostgresCluster/${v.name}`,
    message: `PGO condition ${type}=${c.status}${c.reason ? `, reason ${c.reason}` : ''}${c.message ? `: "${c.message}"` : ''}${when}`,
    detail: (known ? known.meaning : `PGO reports condition ${type} as ${c.status}; kubectl pgo has no specific explanation for this type.`) +
      (converging && settled !== 'info' ? ` It changed less than ${span(CONDITION_GRACE_MS)} ago: PGO may still be converging.` : '') + stale,
    remedy: known ? `Look closer:\n  ${known.remedy(v)}` : `Look closer:\n  ${describe('postgrescluster', v.name, v.namespace)}`,
    data: { type, status: c.status ?? null, reason: c.reason ?? null, message: c.message ?? null, lastTransitionTime: c.lastTransitionTime ?? null, known: Boolean(known) },
  });
}

function run(ctx: CheckContext): Finding[] {
  const out: Finding[] = [];
  for (const v of ctx.views) {
    const conds: Condition[] = Array.isArray(v.object.status?.conditions) ? v.object.status.conditions : [];
    for (const c of conds) {
      const f = conditionFinding(ctx, v, c);
      if (f) out.push(f);
    }
  }
  return out;
}

export const conditionsCheck: Check = { codes: ['ConditionNotTrue'], phase: 2, run };
