// SpecNotObserved: status.observedGeneration behind metadata.generation for longer than a grace
// period. PGO writes observedGeneration at the end of every reconcile that gets past its early
// checks, even one whose steps fail (v5.8 and v6.0 Reconcile); a lag that lasts means PGO
// returned before that (paused, a missing image, an invalid standby or data source, a restore
// or directory move in progress) or is not reconciling the cluster at all.
import type { Finding } from '../model/types.ts';
import type { ClusterView } from '../view/cluster-view.ts';
import { blockerOf, finding, type Check, type CheckContext } from './context.ts';
import { clockTime, lastSpecWrite, span } from './pgo-clock.ts';

/** Default for --generation-grace. */
export const DEFAULT_SPEC_GRACE_MS = 2 * 60_000;

function check(ctx: CheckContext, v: ClusterView): Finding | undefined {
  const generation = v.object.metadata.generation;
  if (typeof generation !== 'number') return undefined;
  const observedRaw = v.object.status?.observedGeneration;
  const observed = typeof observedRaw === 'number' ? observedRaw : undefined;
  if (observed !== undefined && observed >= generation) return undefined;
  const since = lastSpecWrite(v.object);
  if (!since) return undefined;
  // Without managedFields the spec change cannot be dated: only a cluster PGO has never observed
  // at all is dated (from its creation); otherwise the lag may be seconds old, and nothing is said.
  if (since.source === 'creationTimestamp' && observed !== undefined) return undefined;
  const grace = ctx.opts.specGraceMs ?? DEFAULT_SPEC_GRACE_MS;
  const lag = ctx.opts.now.getTime() - since.at;
  if (lag < grace) return undefined;
  const blocker = blockerOf(ctx, v);
  const what = since.source === 'managedFields' ? 'the latest write to its spec' : 'its creation';
  return finding(v, {
    code: 'SpecNotObserved',
    severity: 'error',
    subject: `PostgresCluster/${v.name}`,
    message: `PGO has not acted on generation ${generation} of the spec for ${span(lag)}: status.observedGeneration is ${observed ?? 'not set'} ` +
      `(${what} was at ${clockTime(since.at)})`,
    detail: 'PGO records the generation it reconciled at the end of every reconcile that gets past its early checks, even when a step fails. ' +
      `A lag longer than ${span(grace)} means it returns before that (paused, an image it does not know, an invalid standby or data source, ` +
      'a restore or directory move in progress) or is not reconciling this cluster at all.' +
      (blocker ? ` Here ${blocker.code} explains it.` : '') +
      ` Measured from ${what} (managedFields${since.source === 'managedFields' ? '' : ' were not available'}), so the real lag is at least this long.`,
    remedy: blocker
      ? `Resolve ${blocker.code} first. ${blocker.remedy}`
      : `Look for why PGO returns early, in its events and in the cluster's status:\n  kubectl get events -n ${v.namespace} --field-selector involvedObject.name=${v.name}\n` +
        `  kubectl get postgrescluster ${v.name} -n ${v.namespace} -o jsonpath='{.status.conditions}'\n` +
        `  kubectl pgo status ${v.name} -n ${v.namespace} --explain`,
    blockedBy: blocker?.code,
    data: { generation, observedGeneration: observed ?? null, since: new Date(since.at).toISOString(), sinceSource: since.source, lagSeconds: Math.floor(lag / 1000), graceSeconds: Math.floor(grace / 1000) },
  });
}

// Phase 2: it names the blocker (ReconcilePaused, PgoReconcileStopped, ...) that explains it.
export const generationCheck: Check = {
  codes: ['SpecNotObserved'],
  phase: 2,
  run: (ctx) => ctx.views.map((v) => check(ctx, v)).filter((f): f is Finding => f !== undefined),
};
