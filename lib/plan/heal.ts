// The heal planner: findings + cluster views -> the smallest PostgresCluster patches that let PGO
// converge by itself. Pure (no API, no clock). heal removes what blocks the operator; it never does
// the operator's job, never creates or deletes anything, and touches nothing but PostgresClusters.
import { postgresClusterRef } from '../apply/paths.ts';
import { refKey, type Change, type Planned, type Reason } from '../apply/types.ts';
import { LABEL, type ClusterRef, type Finding, type KObject } from '../model/types.ts';
import { findingsAbout } from '../model/by-cluster.ts';
import type { ClusterView } from '../view/cluster-view.ts';

export interface HealOptions {
  /** ReconcilePaused is healed only when asked: pausing is usually deliberate. */
  unpause: boolean;
}

export interface NotHealed {
  finding: Finding;
  /** Why heal leaves it: no safe automatic remedy, a flag is needed, or PGO clears it by itself once unblocked. */
  reason: string;
  /** PGO should clear it by itself once the remedied findings are gone. */
  clearsAfterHeal: boolean;
}

export interface ClusterPlan {
  cluster: ClusterRef;
  change?: Change;
  remedied: Finding[];
  notHealed: NotHealed[];
  /** Things a person must know about the plan (e.g. PGO stays paused). */
  notes: string[];
}

export interface HealPlan {
  clusters: ClusterPlan[];
  /** Findings about the operator itself (cluster null). */
  operator: Finding[];
  planned: Planned;
}

export const SWITCHOVER_CODES = ['SwitchoverBlocked', 'SwitchoverLeftEnabled', 'SwitchoverTriggerLeft'] as const;
export const OPERATOR_DOWN_CODES = ['OperatorMissing', 'OperatorNotReady'] as const;

const WHY_SWITCHOVER =
  "PGO runs its switchover step before it creates missing instance StatefulSets, and an error there skips every later step; disabling the switchover and dropping the trigger annotation together lets the rest of the reconcile run, and nothing fires later if someone re-enables it";
const WHY_LEFT_ENABLED =
  'a switchover left enabled fires again the moment someone sets a new trigger annotation (or re-enables it with the old one still set); disabling it and dropping the annotation together leaves nothing armed';
const WHY_TRIGGER_LEFT =
  'a trigger annotation left behind starts a switchover the moment spec.patroni.switchover is enabled again; removing it (and keeping the switchover disabled) leaves nothing armed';
const WHY_UNPAUSE = 'spec.paused stops every reconcile; --unpause was given, so PGO may act again';

/** The UnreadableObject finding about the PostgresCluster itself (spec, status or apiVersion), if any. */
export function unreadableCluster(view: ClusterView, findings: Finding[]): Finding | undefined {
  return findings.find((f) => f.code === 'UnreadableObject' && sameCluster(f.cluster, view) && f.subject === `PostgresCluster/${view.name}`);
}

function sameCluster(a: ClusterRef | null, v: ClusterView): boolean {
  return !!a && a.namespace === v.namespace && a.name === v.name;
}

/** The one patch that disarms PGO's switchover: disable it and remove the trigger, conditional on rv. */
export function disarmSwitchoverPatch(resourceVersion: string): Record<string, unknown> {
  return {
    metadata: { resourceVersion, annotations: { [LABEL.triggerSwitchover]: null } },
    spec: { patroni: { switchover: { enabled: false } } },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function deepMerge(a: any, b: any): any {
  if (b === null || typeof b !== 'object' || Array.isArray(b) || a === null || typeof a !== 'object' || Array.isArray(a)) return b;
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? deepMerge(out[k], v) : v;
  return out;
}

function planCluster(view: ClusterView, findings: Finding[], opts: HealOptions): ClusterPlan {
  const mine = findingsAbout(findings, view);
  const unreadable = unreadableCluster(view, mine);
  if (unreadable) {
    // A patch planned from a spec that was only partly read could undo what was not read.
    const reason = `heal writes only to a PostgresCluster it could read whole: ${unreadable.message}`;
    return {
      cluster: { namespace: view.namespace, name: view.name },
      remedied: [],
      notHealed: mine.map((f) => ({ finding: f, clearsAfterHeal: false, reason })),
      notes: [`${view.namespace}/${view.name} is left alone: ${unreadable.message}`],
    };
  }
  const rv = view.object.metadata.resourceVersion ?? '';
  const remedied: Finding[] = [];
  const notHealed: NotHealed[] = [];
  const notes: string[] = [];
  const reasons: Reason[] = [];
  const summaries: string[] = [];
  let patch: Record<string, unknown> = { metadata: { resourceVersion: rv } };

  const switchoverFindings = mine.filter((f) => (SWITCHOVER_CODES as readonly string[]).includes(f.code));
  if (switchoverFindings.length > 0) {
    patch = deepMerge(patch, disarmSwitchoverPatch(rv));
    summaries.push(`disable spec.patroni.switchover and remove the ${LABEL.triggerSwitchover} annotation`);
    for (const f of switchoverFindings) {
      remedied.push(f);
      reasons.push({ code: f.code, finding: f.message, why: f.code === 'SwitchoverBlocked' ? WHY_SWITCHOVER : f.code === 'SwitchoverLeftEnabled' ? WHY_LEFT_ENABLED : WHY_TRIGGER_LEFT });
    }
  }

  for (const f of mine) {
    if ((SWITCHOVER_CODES as readonly string[]).includes(f.code)) continue;
    if (f.code === 'ReconcilePaused') {
      if (view.object.spec?.paused !== true) {
        notHealed.push({
          finding: f,
          clearsAfterHeal: false,
          reason:
            'PGO pauses itself here because backups were removed from the spec while the repo host still exists; lifting that pause authorises deleting the backup repository, which heal never does',
        });
      } else if (opts.unpause) {
        patch = deepMerge(patch, { spec: { paused: false } });
        summaries.push('set spec.paused to false');
        remedied.push(f);
        reasons.push({ code: f.code, finding: f.message, why: WHY_UNPAUSE });
      } else {
        notHealed.push({ finding: f, clearsAfterHeal: false, reason: 'pausing is usually deliberate: heal lifts it only with --unpause' });
      }
      continue;
    }
    // Information (a backup not yet taken, a warning PGO got past) is not a problem left unhealed.
    if (f.severity === 'info' && !f.blockedBy) continue;
    notHealed.push({ finding: f, clearsAfterHeal: false, reason: 'heal has no safe automatic remedy for this' });
  }

  const remediedCodes = new Set(remedied.map((f) => f.code));
  for (const n of notHealed) {
    if (n.finding.blockedBy && remediedCodes.has(n.finding.blockedBy)) {
      n.clearsAfterHeal = true;
      n.reason = `PGO fixes this by itself once ${n.finding.blockedBy} is healed`;
    }
  }

  if (remedied.length > 0 && view.object.spec?.paused === true && !remediedCodes.has('ReconcilePaused')) {
    notes.push(`${view.namespace}/${view.name} has spec.paused: true, so PGO will not act on this change until it is unpaused (--unpause)`);
  }
  if (remedied.length > 0 && view.object.spec?.shutdown === true) {
    notes.push(`${view.namespace}/${view.name} has spec.shutdown: true: its instances stay scaled to 0 on purpose`);
  }

  const ref: ClusterRef = { namespace: view.namespace, name: view.name };
  if (reasons.length === 0) return { cluster: ref, remedied, notHealed, notes };
  const change: Change = {
    target: postgresClusterRef(view.object.apiVersion ?? view.apiVersion, view.namespace, view.name),
    resourceVersion: rv,
    patchType: 'merge',
    patch,
    summary: summaries.join('; '),
    reasons,
  };
  return { cluster: ref, change, remedied, notHealed, notes };
}

export function planHeal(views: ClusterView[], findings: Finding[], opts: HealOptions): HealPlan {
  const clusters = views.map((v) => planCluster(v, findings, opts));
  const before = new Map<string, KObject>();
  const changes: Change[] = [];
  clusters.forEach((c, i) => {
    if (!c.change) return;
    changes.push(c.change);
    before.set(refKey(c.change.target), views[i].object);
  });
  return {
    clusters,
    operator: findings.filter((f) => f.cluster === null),
    planned: { changes, before },
  };
}
