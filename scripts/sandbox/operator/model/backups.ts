// pgBackRest backup Jobs as PGO v5.8.9's reconcilePGBackRest makes them (pgbackrest.go):
// reconcileReplicaCreateBackup (the first full backup, which gates PGBackRestReplicaCreate) and
// reconcileManualBackup (the pgbackrest-backup annotation with spec.backups.pgbackrest.manual).
// The model only creates and deletes Jobs and reads their status; what runs a Job's pod is the
// sandbox's pods runtime (scripts/sandbox/pods/runtime/backup-job.ts), as a kubelet would.
import type { KObj } from '../../kube/types.ts';
import { ANNOTATION_PGBACKREST_BACKUP, LABEL, names, randomSuffix } from './naming.ts';
import { backupJob, type BackupJobType, type Images } from './objects.ts';
import { isWritable } from './exec-steps.ts';
import type { Observed } from './instances.ts';
import type { ClusterSpec } from './spec.ts';
import { removeCondition, setCondition, type Condition } from './status.ts';
import type { EventRecorder } from './events.ts';

export const ANNOTATION_CONFIG_HASH = 'postgres-operator.crunchydata.com/pgbackrest-hash';

export interface JobDeps {
  /** Server-side apply of a Job (field manager postgrescluster-controller). */
  apply: (job: KObj) => Promise<KObj>;
  /** Delete with propagationPolicy Background. */
  remove: (job: KObj) => Promise<void>;
  events: EventRecorder;
  rand?: (max: number) => number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Status = Record<string, any>;

const jobCondition = (job: KObj, type: string) =>
  (job.status?.conditions ?? []).some((c: Condition) => c.type === type && c.status === 'True');
export const jobCompleted = (job: KObj) => jobCondition(job, 'Complete');
export const jobFailed = (job: KObj) => jobCondition(job, 'Failed');

const conditionTrue = (status: Status, type: string) =>
  (status.conditions ?? []).some((c: Condition) => c.type === type && c.status === 'True');

/** The cluster's backup Jobs of one kind, as getPGBackRestResources sorts the owned Jobs. */
export function backupJobsOf(jobs: KObj[], type: BackupJobType): KObj[] {
  return jobs.filter((j) => j.metadata.labels?.[LABEL.pgbackrestBackup] === type);
}

function clusterWritable(o: Observed): boolean {
  return o.forCluster.some((i) => isWritable(i) === true);
}

/** The deferred PGBackRestReplicaCreate condition is set whatever happens, as in PGO. */
export async function reconcileReplicaCreateBackup(d: JobDeps, c: ClusterSpec, status: Status, o: Observed,
  jobs: KObj[], images: Images, configHash: string, now: string): Promise<void> {
  const repo = c.repos[0];
  const repoStatus = (status.pgbackrest?.repos ?? []).find((r: Status) => r.name === repo?.name);
  try {
    if (!clusterWritable(o) || !repoStatus || repoStatus.replicaCreateBackupComplete) return;
    const job = jobs[0];
    if (job) {
      const changed = job.metadata.labels?.[LABEL.pgbackrestRepo] !== repo.name;
      if (jobFailed(job) || changed || job.metadata.annotations?.[ANNOTATION_CONFIG_HASH] !== configHash) {
        await d.remove(job);
        return;
      }
      if (jobCompleted(job)) {
        repoStatus.replicaCreateBackupComplete = true;
        return;
      }
    }
    if (!job && (!conditionTrue(status, 'PGBackRestRepoHostReady') || !conditionTrue(status, 'PGBackRestReplicaRepoReady'))) return;
    const name = job?.metadata.name ?? names.backupJob(c.name, randomSuffix(4, d.rand));
    await d.apply(backupJob(c, repo.name, 'replica-create', name, images, { [ANNOTATION_CONFIG_HASH]: configHash }));
  } finally {
    status.conditions = setCondition(status.conditions, !repoStatus
      ? { type: 'PGBackRestReplicaCreate', status: 'Unknown', reason: 'RepoStatusMissing', message: 'Status is missing for the replica create repo', observedGeneration: c.generation }
      : repoStatus.replicaCreateBackupComplete
        ? { type: 'PGBackRestReplicaCreate', status: 'True', reason: 'RepoBackupComplete', message: 'pgBackRest replica creation is now possible', observedGeneration: c.generation }
        : { type: 'PGBackRestReplicaCreate', status: 'False', reason: 'RepoBackupNotComplete', message: 'pgBackRest replica creation is not currently possible', observedGeneration: c.generation },
    now);
  }
}

/** status.pgbackrest.manualBackup from the Job, as PGO copies it (zero counts and unset times omitted). */
function copyJobStatus(into: Status, job: KObj): void {
  for (const k of ['startTime', 'completionTime', 'succeeded', 'failed', 'active'] as const) {
    if (job.status?.[k]) into[k] = job.status[k];
    else delete into[k];
  }
  if (jobCompleted(job) || jobFailed(job)) into.finished = true;
}

export async function reconcileManualBackup(d: JobDeps, obj: KObj, c: ClusterSpec, status: Status, o: Observed,
  jobs: KObj[], images: Images, now: string): Promise<void> {
  const requested = c.annotations[ANNOTATION_PGBACKREST_BACKUP] ?? '';
  status.pgbackrest ??= {};
  let manual: Status | undefined = status.pgbackrest.manualBackup;
  const current = jobs[0];
  if (current) {
    const completed = jobCompleted(current);
    const failed = jobFailed(current);
    const id = current.metadata.annotations?.[ANNOTATION_PGBACKREST_BACKUP] ?? '';
    if (manual && manual.id === id) {
      if (completed) {
        status.conditions = setCondition(status.conditions, { type: 'PGBackRestManualBackupSuccessful', status: 'True', reason: 'ManualBackupComplete', message: 'Manual backup completed successfully', observedGeneration: c.generation }, now);
      } else if (failed) {
        status.conditions = setCondition(status.conditions, { type: 'PGBackRestManualBackupSuccessful', status: 'False', reason: 'ManualBackupFailed', message: 'Manual backup did not complete successfully', observedGeneration: c.generation }, now);
      }
      copyJobStatus(manual, current);
    }
    // A finished Job of an earlier request goes, so that the new request gets a Job of its own.
    if ((completed || failed) && requested !== '' && id !== requested) {
      await d.remove(current);
      return;
    }
  }
  if (!clusterWritable(o) || requested === '' || !c.manualBackup) return;
  if (!manual || manual.id !== requested) {
    manual = { id: requested, finished: false }; // the CRD requires both
    status.conditions = removeCondition(status.conditions, 'PGBackRestManualBackupSuccessful');
    status.pgbackrest.manualBackup = manual;
  }
  if (manual.finished) return;
  if (!conditionTrue(status, 'PGBackRestRepoHostReady') || !conditionTrue(status, 'PGBackRestReplicaCreate')) return;
  const repoName = c.manualBackup.repoName;
  const repoStatus = (status.pgbackrest.repos ?? []).find((r: Status) => r.name === repoName);
  if (!repoStatus) {
    await d.events.record(obj, 'Warning', 'InvalidBackupRepo', `Unable to find status for "${repoName}" as configured for a manual backup.  Please ensure this repo is defined in the spec.`);
    return;
  }
  if (!repoStatus.stanzaCreated) {
    await d.events.record(obj, 'Warning', 'StanzaNotCreated', `Stanza not created for "${repoName}" as specified for a manual backup`);
    return;
  }
  if (!c.repos.some((r) => r.name === repoName)) throw new Error(`repo "${repoName}" is not defined for this cluster`);
  if (c.manualBackup.options.some((opt) => opt.includes('--repo=') || opt.includes('--repo '))) {
    await d.events.record(obj, 'Warning', 'InvalidManualBackup', "Option '--repo' is not allowed: please use the 'repoName' field instead.");
    return;
  }
  const name = current?.metadata.name ?? names.backupJob(c.name, randomSuffix(4, d.rand));
  await d.apply(backupJob(c, repoName, 'manual', name, images, { [ANNOTATION_PGBACKREST_BACKUP]: requested }, c.manualBackup.options));
}
