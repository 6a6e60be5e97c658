// `status CLUSTER --explain`: PGO's reconcile pipeline for the version found, each step ok,
// failing (with PGO's error), skipped because an earlier one stopped the reconcile, or unknown,
// and the findings each skipped step leaves unresolved. Pure: it reads the findings only.
import type { Finding } from '../model/types.ts';
import { pipelineFor, stepOfFunc, type Pipeline, type PipelineStep } from './pipelines.ts';

export type StepState = 'ok' | 'failing' | 'skipped' | 'unknown';

export interface ExplainStep {
  index: number;
  name: string;
  kind: PipelineStep['kind'];
  does: string;
  state: StepState;
  /** PGO's words for a failing step (its log's error, an Event's message), else null. */
  error: string | null;
  /** The finding that says the step fails, else null. */
  finding: string | null;
  /** Findings of the cluster this step would resolve and does not, because it fails or is skipped. */
  unresolved: Array<{ code: string; subject: string }>;
}

export interface ExplainStatus {
  /** The operator version the pipeline was chosen for; null when not found. */
  pgoVersion: string | null;
  /** The pipeline's PGO minor version, e.g. "5.8". */
  pipeline: string;
  /** true: the version was not found (or has no table of its own) and this pipeline was assumed. */
  assumed: boolean;
  source: string;
  /** The step where reconciles of this cluster stop, null when none is known to. */
  stoppedAt: string | null;
  /** PGO's error when its log names a failing function this table has no step for (stoppedAt is that function). */
  unplacedError: string | null;
  /** Whether PGO's log was read: without it, steps with no other evidence are unknown, not ok. */
  logRead: boolean;
  steps: ExplainStep[];
}

interface Stop {
  step: PipelineStep;
  error: string | null;
  finding: string;
  /** An early check or a wait: the status patch at the end does not run either. */
  early: boolean;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Where this cluster's reconciles stop, from the findings that say so; the earliest wins (PGO stops there first). */
function stopOf(pipeline: Pipeline, findings: Finding[]): Stop | undefined {
  const byName = (n: string) => pipeline.steps.find((s) => s.name === n);
  const stops: Stop[] = [];
  const add = (s: PipelineStep | undefined, error: string | null, finding: string, early: boolean) => {
    if (s) stops.push({ step: s, error, finding, early });
  };
  for (const f of findings) {
    switch (f.code) {
      case 'ReconcilePaused':
        add(byName(f.data?.reason === 'BackupRemoval' ? 'BackupsEnabled' : 'spec.paused'), f.message, f.code, true);
        break;
      case 'InvalidStandbyConfiguration':
        add(byName('standby spec'), f.message, f.code, true);
        break;
      case 'PgoReconcileStopped': {
        const gate = str(f.data?.gate);
        const words = `${str(f.data?.reason) ?? ''}: ${str(f.data?.message) ?? f.message}`;
        add(gate === 'VerifyImageValues' ? byName('VerifyImageValues') : gate === 'standby validation' ? byName('standby spec') : byName('reconcileDataSource'), words, f.code, true);
        break;
      }
      case 'SwitchoverBlocked':
        add(byName('reconcilePatroniSwitchover'), str(f.data?.operatorError) ?? f.message, f.code, false);
        break;
      case 'ReconcileFailing':
        add(stepOfFunc(pipeline, str(f.data?.func) ?? str(f.data?.step)), str(f.data?.error) ?? f.message, f.code, false);
        break;
    }
  }
  const at = (s: Stop) => pipeline.steps.indexOf(s.step);
  return stops.sort((a, b) => at(a) - at(b))[0];
}

/**
 * @param findings the cluster's own findings
 * @param operatorDown the operator is missing or not ready: nothing runs
 * @param logRead PGO's log was read for this report
 */
export function explainCluster(cluster: string, findings: Finding[], opts: { version: string | null; operatorDown: string | null; logRead: boolean }): ExplainStatus {
  const { pipeline, assumed } = pipelineFor(opts.version);
  const stop = opts.operatorDown ? undefined : stopOf(pipeline, findings);
  // PGO logs a failure at a function this table does not place: the reconcile fails, but where
  // in the pipeline is not known - no step may be called ok.
  const unplaced = !stop && !opts.operatorDown
    ? findings.find((f) => f.code === 'ReconcileFailing' && !stepOfFunc(pipeline, str(f.data?.func) ?? str(f.data?.step)))
    : undefined;
  const stopIndex = stop ? pipeline.steps.indexOf(stop.step) : -1;
  const steps = pipeline.steps.map((s, i): ExplainStep => {
    let state: StepState;
    if (opts.operatorDown) state = 'skipped';
    else if (!stop) state = opts.logRead && !unplaced ? 'ok' : 'unknown';
    else if (i < stopIndex) state = 'ok';
    else if (i === stopIndex) state = 'failing';
    else if (s.kind === 'final' && !stop.early) state = 'ok';
    else state = 'skipped';
    const here = i === stopIndex && stop;
    const unresolved = state === 'skipped' || state === 'failing'
      ? findings.filter((f) => s.resolves?.includes(f.code) && f.code !== stop?.finding).map((f) => ({ code: f.code, subject: f.subject }))
      : [];
    return {
      index: i + 1,
      name: s.name,
      kind: s.kind,
      does: s.does.replaceAll('<cluster>', cluster),
      state,
      error: here ? stop.error : opts.operatorDown && i === 0 ? opts.operatorDown : null,
      finding: here ? stop.finding : null,
      unresolved,
    };
  });
  return {
    pgoVersion: opts.version,
    pipeline: pipeline.minor,
    assumed,
    source: pipeline.source,
    stoppedAt: opts.operatorDown ? 'operator' : stop?.step.name ?? (unplaced ? str(unplaced.data?.func) ?? str(unplaced.data?.step) ?? 'an unnamed step' : null),
    unplacedError: unplaced ? str(unplaced.data?.error) ?? unplaced.message : null,
    logRead: opts.logRead,
    steps,
  };
}
