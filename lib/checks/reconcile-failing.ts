// ReconcileFailing: PGO itself says a cluster's reconcile fails - a "Reconciler error" in its log
// that no successful reconcile followed - whatever the error, known to us or not. PGO runs its
// steps in order and ends a reconcile at the first error, so every step after it is skipped.
import type { Finding } from '../model/types.ts';
import type { ClusterView } from '../view/cluster-view.ts';
import { describe, disableSwitchover, heal, logs, removeTrigger } from './commands.ts';
import { finding, type Check, type CheckContext } from './context.ts';
import { clock, clockSeconds, explainedStep, logData, logFailureOf, moreLogCommand, oneLine, stepName, times } from './operator-log.ts';
import { switchoverFindings } from './switchover.ts';

/** A pod PGO execs into for its in-database steps: the Patroni leader, else any instance pod. */
function primaryPod(v: ClusterView): string | undefined {
  const leader = v.instances.find((i) => i.role === 'master' || (v.leader && i.pod?.metadata.name === v.leader));
  return (leader ?? v.instances.find((i) => i.pod))?.pod?.metadata.name;
}

/** Advice for steps whose failure has a known next move; undefined for the rest. */
function stepAdvice(step: string, v: ClusterView): string | undefined {
  const pod = primaryPod(v);
  const dbLog = pod ? `\n  ${logs(pod, v.namespace, 'database')}` : '';
  if (step === 'reconcilePatroniSwitchover') {
    return `PGO cannot carry out the switchover request; cancel it:\n  ${disableSwitchover(v)}\n  ${removeTrigger(v)}\nor run \`${heal(v)}\`.`;
  }
  if (/^reconcilePatroni/.test(step)) {
    return `PGO talks to Patroni with patronictl in the primary's database container; see whether Patroni runs there:${dbLog}`;
  }
  if (/^reconcile(PGBouncerInPostgreSQL|PostgresUsers|PostgresDatabases|DatabaseInitSQL|PGMonitor)/.test(step)) {
    return `PGO runs psql in the primary's database container for this step; see whether PostgreSQL accepts connections there:${dbLog}`;
  }
  if (/^reconcile(PGBackRest|Stanza|Repo|ManualBackup|ScheduledBackups|ReplicaCreateBackup|CloudBased|Dedicated)/.test(step)) {
    return `A pgBackRest step: see its repo host and backup Jobs:\n  ${describe('statefulset', `${v.name}-repo-host`, v.namespace)}\n  kubectl get jobs -n ${v.namespace} -l postgres-operator.crunchydata.com/cluster=${v.name}`;
  }
  if (/^(reconcileInstance|rolloutInstance|scaleDownInstances|deleteInstance|observeInstances)/.test(step)) {
    return `PGO could not create or update an instance; the API server's answer is in the error above, and in:\n  kubectl get events -n ${v.namespace} --field-selector involvedObject.name=${v.name}`;
  }
  return undefined;
}

function checkCluster(ctx: CheckContext, v: ClusterView): Finding[] {
  const failure = logFailureOf(ctx.snap, v);
  if (!failure) return [];
  if (explainedStep(failure, switchoverFindings(v))) return [];
  const { group, source } = failure;
  const step = stepName(group.func) ?? 'an unnamed step';
  const others = failure.all.slice(1).map((x) => `  - at ${stepName(x.group.func) ?? '?'}: "${oneLine(x.group.error)}" (${times(x.group.count)}, last ${clockSeconds(x.group.last)})`);
  const since = source.digest.debug
    ? 'and no reconcile of it has succeeded since (PGO logs "reconciled cluster" without an error for one that does).'
    : 'PGO logs successful reconciles only with CRUNCHY_DEBUG=true, which is off here, so whether one succeeded since is unknown.';
  const where = source.pod ? `${source.pod.namespace}/${source.pod.name}` : source.file ?? 'the log file';
  const advice = stepAdvice(step, v);
  return [finding(v, {
    code: 'ReconcileFailing',
    severity: 'error',
    subject: `PostgresCluster/${v.name}`,
    message: `PGO's reconcile fails at ${step}: "${oneLine(group.error)}" (${times(group.count)} since ${clock(group.first)}, last at ${clockSeconds(group.last)})`,
    detail:
      `PGO's log (${where}) has "Reconciler error" for ${v.namespace}/${v.name} at step ${group.func ?? step}${group.file ? ` (${group.file})` : ''}, ` +
      `${times(group.count)} between ${clockSeconds(group.first)} and ${clockSeconds(group.last)}, ${since} ` +
      `PGO runs its reconcile steps in order and ends the reconcile at the first error, so the steps after ${step} do not run until it stops failing.` +
      (group.error.includes('\n') ? ` The whole error: ${JSON.stringify(group.error)}` : '') +
      (others.length ? `\nAlso failing recently:\n${others.join('\n')}` : ''),
    remedy: `${advice ? `${advice}\n` : ''}Every line PGO logged about it:\n  ${moreLogCommand(source, v)}`,
    blocking: true,
    data: { ...logData(group, source), others: failure.all.slice(1).map((x) => logData(x.group, x.source)) },
  })];
}

export const reconcileFailingCheck: Check = {
  codes: ['ReconcileFailing'],
  phase: 1,
  run: (ctx) => ctx.views.flatMap((v) => checkCluster(ctx, v)),
};
