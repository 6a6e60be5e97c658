// `kubectl pgo heal`: collect -> checks -> plan -> print -> confirm -> apply -> wait -> re-check.
// heal removes what blocks PGO and then lets PGO do its job; it never creates or deletes anything.
// Every dependency arrives in `deps`, so tests drive it with hand-made snapshots and a fake client.
import { applyPlanned, type ApplyOutcome } from '../apply/apply.ts';
import { confirm } from '../apply/confirm.ts';
import { parseWriteFlags, type WriteFlags } from '../apply/flags.ts';
import { renderChange } from '../apply/show.ts';
import type { Planned } from '../apply/types.ts';
import { readFailed, readWhileWaiting } from '../apply/wait-read.ts';
import { defaultWriteVerbDeps, reporter, seconds, type WriteVerbDeps } from '../apply/writing-verb.ts';
import { ExitError, UsageError } from '../cli/exit.ts';
import type { GlobalFlags } from '../cli/global-flags.ts';
import { paint, type IO } from '../cli/io.ts';
import { parseBytes } from '../cli/bytes.ts';
import { parseOperatorLogFlag } from '../cli/operator-log-flag.ts';
import type { LogWindow } from '../operator-log/source.ts';
import type { Scope } from '../collect/collect.ts';
import type { ApiClient } from '../kube/api.ts';
import { LABEL, type ClusterRef, type Finding, type Snapshot } from '../model/types.ts';
import { OPERATOR_DOWN_CODES, planHeal, type ClusterPlan, type HealPlan, type NotHealed } from '../plan/heal.ts';
import type { ClusterView } from '../view/cluster-view.ts';
import { gapLines } from '../report/gaps.ts';

export const DEFAULT_MAX_LAG_BYTES = 16 * 1024 * 1024;

export interface HealArgs extends WriteFlags {
  flags: GlobalFlags;
  cluster?: string;
  unpause: boolean;
  force: boolean;
  maxLagBytes: number;
  /** --operator-log: how much of PGO's log each look reads (its reconcile errors are findings); undefined = off. */
  operatorLog?: LogWindow;
}

export type HealDeps = WriteVerbDeps;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function parseHealArgs(argv: any, flags: GlobalFlags): HealArgs {
  const cluster: string | undefined = argv.cluster === undefined || argv.cluster === '' ? undefined : String(argv.cluster);
  if (cluster !== undefined && flags.allNamespaces) throw new UsageError('error: a cluster name cannot be combined with -A/--all-namespaces');
  if (cluster !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(cluster)) {
    throw new UsageError(`error: "${cluster}" is not a valid PostgresCluster name (lower case letters, digits and "-")`);
  }
  const rawLag = argv.maxLag ?? argv['max-lag'];
  return {
    ...parseWriteFlags(argv),
    flags,
    cluster,
    unpause: Boolean(argv.unpause),
    force: Boolean(argv.force),
    maxLagBytes: rawLag === undefined ? DEFAULT_MAX_LAG_BYTES : parseBytes(rawLag, 'max-lag'),
    operatorLog: parseOperatorLogFlag(argv.operatorLog ?? argv['operator-log']),
  };
}

/** One look at the cluster(s): snapshot, views (narrowed to the cluster asked for), findings, plan. */
export interface Look {
  snap: Snapshot;
  views: ClusterView[];
  findings: Finding[];
  plan: HealPlan;
}

const about = (c: ClusterRef, f: Finding) => !!f.cluster && f.cluster.namespace === c.namespace && f.cluster.name === c.name;
const refOf = (v: { namespace: string; name: string }) => `${v.namespace}/${v.name}`;

async function look(client: ApiClient, scope: Scope, args: HealArgs, d: HealDeps): Promise<Look> {
  const snap = await d.collect(client, scope, args.operatorLog ? { operatorLog: args.operatorLog } : {});
  const pgcGap = snap.gaps.find((g) => g.resource.split('.')[0] === 'postgresclusters');
  if (pgcGap) throw new ExitError(`error: cannot read postgresclusters: ${pgcGap.message}`, 1);
  let views = d.buildClusterViews(snap);
  if (args.cluster) {
    views = views.filter((v) => v.name === args.cluster && v.namespace === scope.namespace);
    if (views.length === 0) throw new ExitError(`error: PostgresCluster "${args.cluster}" not found in namespace "${scope.namespace}"`, 1);
  }
  const findings = d.runChecks(snap, { maxLagBytes: args.maxLagBytes, now: new Date(snap.takenAt) });
  return { snap, views, findings, plan: planHeal(views, findings, { unpause: args.unpause }) };
}

// ---- text -----------------------------------------------------------------------------------

function planText(plan: HealPlan, replanned: boolean): string {
  const lines: string[] = [];
  const n = plan.planned.changes.length;
  lines.push(replanned ? `New plan (${n} change${n === 1 ? '' : 's'}), made from the objects as they are now:` : `Plan (${n} change${n === 1 ? '' : 's'}):`);
  plan.planned.changes.forEach((c, i) => lines.push(...renderChange(c, i + 1)));
  for (const c of plan.clusters) for (const note of c.notes) lines.push(`Note: ${note}`);
  return lines.join('\n') + '\n';
}

function notHealedText(plan: HealPlan): string {
  const lines: string[] = [];
  const expected = plan.clusters.flatMap((c) => c.notHealed.filter((n) => n.clearsAfterHeal).map((n) => ({ c, n })));
  const left = plan.clusters.flatMap((c) => c.notHealed.filter((n) => !n.clearsAfterHeal).map((n) => ({ c, n })));
  if (expected.length) {
    lines.push('Expected to clear once PGO reconciles again:');
    for (const { c, n } of expected) lines.push(`  - ${n.finding.code} (${refOf(c.cluster)}): ${n.finding.message}`);
  }
  if (left.length) {
    lines.push('Not healed (heal has no safe automatic remedy; what a person can do):');
    for (const { c, n } of left) {
      lines.push(`  - ${n.finding.code} (${refOf(c.cluster)}): ${n.finding.message}`);
      lines.push(`    why not: ${n.reason}`);
      for (const r of n.finding.remedy.split('\n')) lines.push(`    ${r}`);
    }
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** Blocking errors heal leaves as they are and PGO will not clear by itself (those another one
 *  blocks are left out: they clear once it is fixed). */
export function personNeeded(plan: HealPlan): NotHealed[] {
  return plan.clusters.flatMap((c) => {
    const stuck = c.notHealed.filter((n) => !n.clearsAfterHeal && n.finding.severity === 'error' && n.finding.blocking === true);
    const codes = new Set(stuck.map((n) => n.finding.code));
    return stuck.filter((n) => !(n.finding.blockedBy && codes.has(n.finding.blockedBy)));
  });
}

// ---- waiting ------------------------------------------------------------------------------

interface Progress {
  converged: boolean;
  line: string;
  remaining: Finding[];
  /** What heal acted on is done, but blocking errors heal has no remedy for keep PGO from
   *  converging (e.g. a later step of its reconcile failing): waiting longer would be a false "wait". */
  stuckOn: Finding[];
}

/** How long such a state must last before heal stops waiting: PGO may fail once, transiently,
 *  right after it recreated something (an exec into a pod still starting). */
export const STUCK_GRACE_MS = 20_000;

/** What heal waits for in one cluster: the healed findings and those they blocked gone, every
 *  instance StatefulSet there, every instance pod ready. */
export function progressOf(cp: ClusterPlan, first: ClusterView, now: ClusterView | undefined, findings: Finding[], earlier: Finding[] = []): Progress {
  if (!now) return { converged: false, line: `${refOf(cp.cluster)} is gone`, remaining: [], stuckOn: [] };
  const watched = new Set([...cp.remedied.map((f) => f.code), ...cp.notHealed.filter((n) => n.clearsAfterHeal).map((n) => n.finding.code)]);
  const healedCodes = new Set(cp.remedied.map((f) => f.code));
  // Problems that were there before and heal did not act on are not waited for; problems that
  // appeared since (a recreated replica not streaming yet) are: PGO is still converging.
  const known = new Set(earlier.filter((f) => about(cp.cluster, f)).map((f) => `${f.code} ${f.subject}`));
  const remaining = findings.filter(
    (f) =>
      about(cp.cluster, f) &&
      (watched.has(f.code) || (f.blockedBy && healedCodes.has(f.blockedBy)) || (f.severity !== 'info' && !known.has(`${f.code} ${f.subject}`))),
  );
  const desired = now.shutdown ? 0 : now.sets.reduce((n, s) => n + s.desiredReplicas, 0);
  const withSts = now.instances.filter((i) => i.statefulSet);
  // Ready means the pod is Ready AND Patroni runs in it (it has a role label): a pod the kubelet
  // calls Ready whose database has not joined yet is not healed. Instances that had no Patroni
  // role before heal are not waited for (heal did not act on them).
  const rolelessBefore = new Set(first.instances.filter((i) => i.statefulSet && !i.role).map((i) => i.name));
  const ready = withSts.filter((i) => i.ready && (i.role !== undefined || rolelessBefore.has(i.name))).length;
  const before = new Set(first.instances.filter((i) => i.statefulSet).map((i) => i.name));
  const oldVolumes = new Set(first.sets.flatMap((s) => s.orphanedPvcs.map((p) => p.metadata.labels?.[LABEL.instance] ?? '')));
  const parts: string[] = [];
  for (const i of withSts) {
    if (before.has(i.name)) continue;
    parts.push(`StatefulSet ${now.namespace}/${i.name} ${oldVolumes.has(i.name) ? 'recreated on its old volume' : 'created'}`);
  }
  const counts = `${ready}/${Math.max(desired, withSts.length)} instances ready with a Patroni role`;
  const instancesDone = withSts.length >= desired && ready === withSts.length;
  const converged = remaining.length === 0 && instancesDone;
  const actedOnDone = instancesDone && !remaining.some((f) => watched.has(f.code) || (f.blockedBy && healedCodes.has(f.blockedBy)));
  const stuckOn = actedOnDone && remaining.length > 0 && remaining.every((f) => f.severity === 'error' && f.blocking === true) ? remaining : [];
  let line: string;
  if (remaining.length) {
    const r = remaining[0];
    line = `${refOf(cp.cluster)}: ${r.code} still reported${parts.length ? `; ${parts.join(', ')}` : ''} (${counts})`;
  } else {
    line = `${refOf(cp.cluster)}: ${parts.length ? `${parts.join(', ')} ` : ''}(${counts})`;
  }
  return { converged, line, remaining, stuckOn };
}

// ---- the verb ------------------------------------------------------------------------------

export interface HealResult {
  apiVersion: 'kubectl-pgo.crunchy-tools.dev/v1alpha1';
  kind: 'HealResult';
  dryRun: string;
  result: 'nothing-to-do' | 'needs-a-person' | 'dry-run' | 'healed' | 'applied' | 'not-converged' | 'refused' | 'declined';
  clusters: Array<{
    namespace: string;
    name: string;
    changes: Array<{ target: string; resourceVersion: string; patch: unknown; summary: string; reasons: string[] }>;
    backups: string[];
    notHealed: Array<{ code: string; message: string; reason: string; remedy: string; clearsAfterHeal: boolean }>;
    converged?: boolean;
    remaining: Array<{ code: string; message: string }>;
  }>;
  conflicts: string[];
  elapsedSeconds: number;
}

export async function runHeal(args: HealArgs, io: IO, deps?: HealDeps): Promise<number> {
  const d = deps ?? (await defaultWriteVerbDeps());
  const { say, emit } = reporter(io, args.output);
  const started = d.now().getTime();
  const client = await d.connect(args.flags);
  const namespace = args.flags.namespace ?? client.defaultNamespace ?? 'default';
  const scope: Scope = { allNamespaces: args.flags.allNamespaces, namespace, cluster: args.cluster };
  const where = args.cluster ? `kubectl pgo heal ${args.cluster} -n ${namespace}` : args.flags.allNamespaces ? 'kubectl pgo heal -A' : `kubectl pgo heal -n ${namespace}`;

  let cur = await look(client, scope, args, d);
  const first = cur;
  io.err(gapLines(cur.snap.gaps));
  const result: HealResult = {
    apiVersion: 'kubectl-pgo.crunchy-tools.dev/v1alpha1',
    kind: 'HealResult',
    dryRun: args.dryRun,
    result: 'nothing-to-do',
    clusters: [],
    conflicts: [],
    elapsedSeconds: 0,
  };
  const finish = (code: number, outcome: HealResult['result'], last: Look, converged?: Map<string, Progress>, outcomeOf?: ApplyOutcome): number => {
    result.result = outcome;
    result.conflicts = outcomeOf?.conflicts ?? [];
    result.elapsedSeconds = Math.round((d.now().getTime() - started) / 100) / 10;
    const planOf = outcomeOf ? last.plan : first.plan;
    result.clusters = first.plan.clusters.map((c) => {
      const k = refOf(c.cluster);
      const writes = (outcomeOf?.writes ?? []).filter((w) => refOf(w.change.target) === k);
      const changes = (outcomeOf ? writes.map((w) => w.change) : planOf.planned.changes.filter((x) => refOf(x.target) === k)).map((x) => ({
        target: `${x.target.kind}/${x.target.name}`,
        resourceVersion: x.resourceVersion,
        patch: x.patch,
        summary: x.summary,
        reasons: x.reasons.map((r) => r.code),
      }));
      const p = converged?.get(k);
      return {
        namespace: c.cluster.namespace,
        name: c.cluster.name,
        changes,
        backups: writes.flatMap((w) => (w.backup ? [w.backup] : [])),
        notHealed: c.notHealed.map((n) => ({ code: n.finding.code, message: n.finding.message, reason: n.reason, remedy: n.finding.remedy, clearsAfterHeal: n.clearsAfterHeal })),
        converged: p?.converged,
        remaining: (p?.remaining ?? last.findings.filter((f) => about(c.cluster, f))).map((f) => ({ code: f.code, message: f.message })),
      };
    });
    emit(result);
    return code;
  };

  if (cur.views.length === 0) {
    say(`No PostgresClusters ${args.flags.allNamespaces ? 'in any namespace' : `in namespace ${namespace}`}: nothing to heal.\n`);
    return finish(0, 'nothing-to-do', cur);
  }
  const problems = cur.findings.filter((f) => f.severity !== 'info' && (f.cluster === null || cur.views.some((v) => about(v, f))));
  if (problems.length) {
    say(`Findings (${problems.length}):\n`);
    for (const f of problems) say(`  ${f.severity === 'error' ? paint(io.color, 'red', 'error') : paint(io.color, 'yellow', f.severity)}  ${f.code}  ${f.cluster ? refOf(f.cluster) : 'operator'}: ${f.message}\n`);
  }
  if (cur.plan.planned.changes.length === 0) {
    say(`Nothing to heal: no finding of ${cur.views.map(refOf).join(', ')} has a remedy heal applies; nothing was changed.\n`);
    say(notHealedText(cur.plan));
    // A blocking error left as it is means PGO stays stuck: not a success, whatever heal could do.
    const stuck = personNeeded(cur.plan);
    if (stuck.length) {
      io.err(`PGO cannot converge until a person acts on: ${stuck.map((n) => `${n.finding.code} (${n.finding.cluster ? refOf(n.finding.cluster) : 'operator'})`).join(', ')}; the remedy is printed above.\n`);
      return finish(2, 'needs-a-person', cur);
    }
    return finish(0, 'nothing-to-do', cur);
  }
  say(planText(cur.plan, false));
  say(notHealedText(cur.plan));

  const operatorDown = cur.findings.filter((f) => f.cluster === null && (OPERATOR_DOWN_CODES as readonly string[]).includes(f.code));
  if (operatorDown.length && !args.force) {
    if (args.dryRun === 'client') {
      say(`Warning: ${operatorDown[0].message}: heal would refuse to write (nothing would converge) unless --force.\n`);
    } else {
      const f = operatorDown[0];
      io.err(`error: refusing to heal: ${f.message}; PGO would not act on the change, so nothing would converge. Fix the operator first (${f.remedy.split('\n').join(' ')}), or pass --force to write anyway. Nothing was changed.\n`);
      return finish(1, 'refused', cur);
    }
  }
  if (!cur.snap.operator.known) say('Warning: whether the PGO operator runs could not be checked (its Deployment was not readable); the wait below needs it.\n');

  if (args.dryRun === 'client') {
    say('Dry run (client): the plan above was only printed; nothing was sent to the server.\n');
    return finish(0, 'dry-run', cur);
  }

  const n = cur.plan.planned.changes.length;
  if (args.dryRun === 'none') {
    const ok = await confirm(io, `Apply ${n} change${n === 1 ? '' : 's'}?`, { yes: args.yes, verb: where });
    if (!ok) {
      io.err('Aborted: nothing was changed.\n');
      return finish(1, 'declined', cur);
    }
  }

  const outcome = await applyPlanned(
    client,
    cur.plan.planned,
    {
      replan: async (): Promise<Planned> => {
        cur = await look(client, scope, args, d);
        return cur.plan.planned;
      },
      show: () => say(planText(cur.plan, true)),
      confirm: (p) => confirm(io, `Apply ${p.changes.length} change${p.changes.length === 1 ? '' : 's'}?`, { yes: args.yes, verb: where }),
      log: (l) => say(`${l}\n`),
    },
    { dryRun: args.dryRun === 'server' ? 'server' : 'none', backupDir: args.backupDir, now: d.now },
  );
  if (outcome.result === 'dry-run') {
    say('Dry run (server): the server validated every change; nothing was stored and no backup was written.\n');
    return finish(0, 'dry-run', cur, undefined, outcome);
  }
  if (outcome.result === 'declined') {
    io.err('Aborted after the new plan: nothing more was changed.\n');
    return finish(1, 'declined', cur, undefined, outcome);
  }
  if (outcome.result === 'conflict-limit') {
    io.err(`error: the objects kept changing while heal tried to write (${outcome.conflicts.length} conflicts); nothing more was written. Run heal again when they settle.\n`);
    return finish(1, 'refused', cur, undefined, outcome);
  }
  if (outcome.result === 'nothing-left') say('Someone else changed the objects meanwhile and nothing is left to heal.\n');

  const healed = (outcome.result === 'nothing-left' ? [] : cur.plan.clusters.filter((c) => c.change));
  if (!args.wait) {
    say(`Not waiting (--wait=false). Follow PGO with: kubectl pgo status ${args.cluster ? `${args.cluster} -n ${namespace}` : args.flags.allNamespaces ? '-A' : `-n ${namespace}`} --watch\n`);
    return finish(0, 'applied', cur, undefined, outcome);
  }
  if (operatorDown.length) {
    io.err(`The operator is not running (${operatorDown[0].code}): nothing will converge until it does; not waiting.\n`);
    return finish(2, 'not-converged', cur, undefined, outcome);
  }
  const stillPaused = healed.filter((c) => cur.views.find((v) => refOf(v) === refOf(c.cluster))?.object.spec?.paused === true && !args.unpause);
  if (stillPaused.length) {
    io.err(`${stillPaused.map((c) => refOf(c.cluster)).join(', ')}: spec.paused is true, so PGO will not act until it is unpaused (--unpause); not waiting.\n`);
    return finish(2, 'not-converged', cur, undefined, outcome);
  }

  // Wait for PGO, looking again every pollMs: the change is only half the job.
  const applyDone = d.now().getTime();
  const deadline = applyDone + args.timeoutMs;
  const firstViews = new Map(first.views.map((v) => [refOf(v), v]));
  let progress = new Map<string, Progress>();
  let lastLines = new Map<string, string>();
  const stuckSince = new Map<string, number>();
  const written = `the change was applied (${outcome.writes.map((w) => `${w.change.target.namespace}/${w.change.target.name}`).join(', ')}; backups: ${outcome.writes.map((w) => w.backup).filter(Boolean).join(', ')})`;
  let lastFailure = '';
  for (;;) {
    const next = await readWhileWaiting(() => look(client, scope, args, d), written, (l) => {
      if (l !== lastFailure) say(`[${seconds(d.now().getTime() - applyDone)}] ${l}\n`);
      lastFailure = l;
    });
    if (readFailed(next)) {
      if (d.now().getTime() >= deadline) {
        io.err(`Timed out after ${seconds(args.timeoutMs)}: ${written}; the API server did not answer at the end (${next.failed}). Follow it with: kubectl pgo status ${args.cluster ?? ''}${args.cluster ? ` -n ${namespace}` : ''} --watch\n`);
        return finish(2, 'not-converged', cur, progress, outcome);
      }
      await d.sleep(d.pollMs ?? 1000);
      continue;
    }
    lastFailure = '';
    cur = next;
    progress = new Map(
      healed.map((c) => [
        refOf(c.cluster),
        progressOf(c, firstViews.get(refOf(c.cluster))!, cur.views.find((v) => refOf(v) === refOf(c.cluster)), cur.findings, first.findings),
      ]),
    );
    const elapsed = d.now().getTime() - applyDone;
    for (const [k, p] of progress) {
      if (lastLines.get(k) !== p.line) say(`[${seconds(elapsed)}] ${p.converged ? 'converged' : 'waiting'}: ${p.line}\n`);
    }
    lastLines = new Map([...progress].map(([k, p]) => [k, p.line]));
    if ([...progress.values()].every((p) => p.converged)) break;
    const t = d.now().getTime();
    for (const [k, p] of progress) {
      if (!p.stuckOn.length) stuckSince.delete(k);
      else if (!stuckSince.has(k)) stuckSince.set(k, t);
    }
    const settled = (k: string, p: Progress) => p.converged || (stuckSince.has(k) && t - stuckSince.get(k)! >= STUCK_GRACE_MS);
    if ([...progress].every(([k, p]) => settled(k, p))) {
      const lines = [`What heal acted on is done, but PGO still cannot converge, for a reason heal has no remedy for; what a person can do:`];
      for (const p of progress.values()) {
        for (const f of p.stuckOn) {
          lines.push(`  - ${f.code} (${f.cluster ? refOf(f.cluster) : 'operator'}): ${f.message}`);
          for (const r of f.remedy.split('\n')) lines.push(`    ${r}`);
        }
      }
      say(lines.join('\n') + '\n');
      io.err(`PGO cannot converge until a person acts on: ${[...progress.values()].flatMap((p) => p.stuckOn.map((f) => `${f.code} (${f.cluster ? refOf(f.cluster) : 'operator'})`)).join(', ')}; the remedy is printed above.\n`);
      return finish(2, 'needs-a-person', cur, progress, outcome);
    }
    if (d.now().getTime() >= deadline) {
      const lines = [`Timed out after ${seconds(args.timeoutMs)}: PGO has not converged:`];
      for (const [k, p] of progress) {
        if (p.converged) continue;
        lines.push(`  ${p.line}`);
        const left = cur.findings.filter((f) => f.cluster && refOf(f.cluster) === k && f.severity !== 'info');
        for (const f of left) lines.push(`    ${f.code}: ${f.message}`);
      }
      io.err(lines.join('\n') + '\n');
      return finish(2, 'not-converged', cur, progress, outcome);
    }
    await d.sleep(d.pollMs ?? 1000);
  }
  const total = d.now().getTime() - started;
  say(`Healed ${healed.map((c) => refOf(c.cluster)).join(', ')} in ${seconds(total)} (PGO converged ${seconds(d.now().getTime() - applyDone)} after the change).\n`);
  const others = cur.findings.filter((f) => f.severity !== 'info' && cur.views.some((v) => about(v, f)));
  if (others.length) {
    say('Still reported (heal has no remedy for these):\n');
    for (const f of others) say(`  - ${f.code} (${f.cluster ? refOf(f.cluster) : 'operator'}): ${f.message}\n`);
  }
  return finish(0, 'healed', cur, progress, outcome);
}
