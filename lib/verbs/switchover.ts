// `kubectl pgo switchover`: preflight -> show -> confirm -> one conditional write (saved first)
// -> wait until PGO reports it AND Patroni's leader is the target -> clean up (disarm).
import { applyPlanned, type ApplyOutcome } from '../apply/apply.ts';
import { confirm } from '../apply/confirm.ts';
import { parseWriteFlags, type WriteFlags } from '../apply/flags.ts';
import { postgresClusterRef } from '../apply/paths.ts';
import { renderChange } from '../apply/show.ts';
import { refKey, type Change, type Planned } from '../apply/types.ts';
import { readFailed, readWhileWaiting } from '../apply/wait-read.ts';
import { defaultWriteVerbDeps, reporter, seconds, type WriteVerbDeps } from '../apply/writing-verb.ts';
import { ExitError, UsageError } from '../cli/exit.ts';
import type { GlobalFlags } from '../cli/global-flags.ts';
import type { IO } from '../cli/io.ts';
import { parseBytes } from '../cli/bytes.ts';
import type { Scope } from '../collect/collect.ts';
import type { ApiClient } from '../kube/api.ts';
import { LABEL, type Finding, type KObject, type Snapshot } from '../model/types.ts';
import { disarmSwitchoverPatch } from '../plan/heal.ts';
import { readConfigTags } from '../switchover/config-tags.ts';
import { freshTrigger, requestPatch } from '../switchover/patch.ts';
import { formatBytes, preflight, type PreflightResult } from '../switchover/preflight.ts';
import { podNameOf } from '../switchover/resolve.ts';
import type { Tags } from '../switchover/tags.ts';
import type { Refusal, SwitchoverType } from '../switchover/types.ts';
import { switchoverState, type SwitchoverState } from '../switchover/verify.ts';
import type { ClusterView } from '../view/cluster-view.ts';
import { gapLines, permissionOf } from '../report/gaps.ts';

import { rbacOf } from '../rbac/requirements.ts';

/** The lists switchover cannot do without, as its RBAC requirements say (one source). */
const SEEN_THROUGH = rbacOf('switchover').requirements.filter((r) => !r.optional && r.scope === 'namespace' && r.verbs.includes('list')).flatMap((r) => r.resources);

export interface SwitchoverArgs extends WriteFlags {
  flags: GlobalFlags;
  cluster: string;
  to?: string;
  type: SwitchoverType;
  keepEnabled: boolean;
  maxLagBytes?: number;
}

export interface SwitchoverDeps extends WriteVerbDeps {
  random?: () => number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function parseSwitchoverArgs(argv: any, flags: GlobalFlags): SwitchoverArgs {
  const cluster = argv.cluster === undefined ? '' : String(argv.cluster);
  if (!cluster) throw new UsageError('error: a PostgresCluster name is required: kubectl pgo switchover CLUSTER [--to INSTANCE]');
  if (flags.allNamespaces) throw new UsageError('error: switchover works on one cluster: -A/--all-namespaces is not allowed');
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(cluster)) throw new UsageError(`error: "${cluster}" is not a valid PostgresCluster name (lower case letters, digits and "-")`);
  const rawType = String(argv.type ?? 'switchover').toLowerCase();
  if (rawType !== 'switchover' && rawType !== 'failover') throw new UsageError(`error: invalid argument "${argv.type}" for "--type" flag: must be "switchover" or "failover"`);
  const to = argv.to === undefined || argv.to === '' ? undefined : String(argv.to);
  const rawLag = argv.maxLag ?? argv['max-lag'];
  return {
    ...parseWriteFlags(argv),
    flags,
    cluster,
    to,
    type: rawType === 'failover' ? 'Failover' : 'Switchover',
    keepEnabled: Boolean(argv.keepEnabled ?? argv['keep-enabled']),
    maxLagBytes: rawLag === undefined ? undefined : parseBytes(rawLag, 'max-lag'),
  };
}

export interface SwitchoverResult {
  apiVersion: 'kubectl-pgo.crunchy-tools.dev/v1alpha1';
  kind: 'SwitchoverResult';
  namespace: string;
  name: string;
  type: SwitchoverType;
  dryRun: string;
  result: 'switched-over' | 'refused' | 'dry-run' | 'declined' | 'requested' | 'not-verified';
  refusals: Refusal[];
  from?: string;
  to?: string;
  choice?: string;
  trigger?: string;
  patch?: unknown;
  backups: string[];
  verified?: { statusDone: boolean; leader: string | null; leaderIsTarget: boolean; targetLabelled: boolean };
  cleanup: 'done' | 'skipped' | 'kept (--keep-enabled)' | 'failed' | 'not-run';
  remaining: Array<{ code: string; message: string }>;
  elapsedSeconds: number;
}

interface Look {
  snap: Snapshot;
  view: ClusterView;
  findings: Finding[];
}

async function look(client: ApiClient, scope: Scope, args: SwitchoverArgs, d: SwitchoverDeps): Promise<Look> {
  const snap = await d.collect(client, scope);
  const pgcGap = snap.gaps.find((g) => g.resource.split('.')[0] === 'postgresclusters');
  if (pgcGap) throw new ExitError(`error: cannot read postgresclusters: ${pgcGap.message}`, 1);
  const view = d.buildClusterViews(snap).find((v) => v.name === args.cluster && v.namespace === scope.namespace);
  if (!view) throw new ExitError(`error: PostgresCluster "${args.cluster}" not found in namespace "${scope.namespace}"`, 1);
  const findings = d.runChecks(snap, { maxLagBytes: args.maxLagBytes ?? 16 * 1024 * 1024, now: new Date(snap.takenAt) });
  return { snap, view, findings };
}

function podsOf(l: Look): KObject[] {
  return l.view.pods ?? l.snap.objects.pods.filter((p) => p.metadata.namespace === l.view.namespace && p.metadata.labels?.[LABEL.cluster] === l.view.name);
}

async function check(client: ApiClient, l: Look, args: SwitchoverArgs): Promise<{ pre: PreflightResult; unreadable: string[] }> {
  const withSts = l.view.instances.filter((i) => i.statefulSet).map((i) => i.name);
  const { tags, unreadable } = await readConfigTags(client, l.view.namespace, withSts);
  const configTags: Record<string, Tags | undefined> = tags;
  const pre = preflight({ view: l.view, findings: l.findings, pods: podsOf(l), to: args.to, type: args.type, maxLagBytes: args.maxLagBytes, configTags });
  return { pre, unreadable };
}

function requestChange(l: Look, pre: PreflightResult, args: SwitchoverArgs, trigger: string): Planned {
  const rv = l.view.object.metadata.resourceVersion ?? '';
  const target = pre.target!;
  const from = pre.primary ? `${pre.primary.name} (pod ${podNameOf(pre.primary)})` : 'no primary';
  const change: Change = {
    target: postgresClusterRef(l.view.object.apiVersion ?? l.view.apiVersion, l.view.namespace, l.view.name),
    resourceVersion: rv,
    patchType: 'merge',
    patch: requestPatch(rv, target.name, args.type, trigger),
    summary: `enable spec.patroni.switchover (type ${args.type}, targetInstance ${target.name}) and set ${LABEL.triggerSwitchover} to "${trigger}"`,
    reasons: [
      {
        code: args.type,
        finding: `${from} -> ${target.name} (pod ${podNameOf(target)}, lag ${formatBytes(target.lagBytes)}); ${pre.choice ?? ''}`,
        why: 'PGO acts when the switchover is enabled and the trigger annotation differs from status.patroni.switchover; both go in one write so PGO never sees half a request',
      },
    ],
  };
  return { changes: [change], before: new Map([[refKey(change.target), l.view.object]]) };
}

export async function runSwitchover(args: SwitchoverArgs, io: IO, deps?: SwitchoverDeps): Promise<number> {
  const d: SwitchoverDeps = deps ?? (await defaultWriteVerbDeps());
  const { say, emit } = reporter(io, args.output);
  const started = d.now().getTime();
  const client = await d.connect(args.flags);
  const namespace = args.flags.namespace ?? client.defaultNamespace ?? 'default';
  const scope: Scope = { allNamespaces: false, namespace, cluster: args.cluster };
  const where = `${namespace}/${args.cluster}`;
  const verb = `kubectl pgo switchover ${args.cluster} -n ${namespace}`;
  const result: SwitchoverResult = {
    apiVersion: 'kubectl-pgo.crunchy-tools.dev/v1alpha1',
    kind: 'SwitchoverResult',
    namespace,
    name: args.cluster,
    type: args.type,
    dryRun: args.dryRun,
    result: 'refused',
    refusals: [],
    backups: [],
    cleanup: 'not-run',
    remaining: [],
    elapsedSeconds: 0,
  };
  const finish = (code: number, r: SwitchoverResult['result']): number => {
    result.result = r;
    result.elapsedSeconds = Math.round((d.now().getTime() - started) / 100) / 10;
    emit(result);
    return code;
  };

  let cur = await look(client, scope, args, d);
  io.err(gapLines(cur.snap.gaps));
  // The target's readiness and Patroni role, and the leader, come from these: without them a
  // switchover would be requested blind.
  const blind = cur.snap.gaps.filter((g) => g.namespace === namespace && SEEN_THROUGH.includes(g.resource));
  if (blind.length) {
    io.err(`error: refusing to ${args.type.toLowerCase()} ${where}; nothing was changed: cannot ${blind.map((g) => `${g.verb} ${g.resource}`).join(', ')} in namespace "${namespace}" (ask for: ${blind.map((g) => permissionOf(g.verb, g.resource)).join(', ')})\n`);
    return finish(1, 'refused');
  }
  if (!cur.snap.operator.known) say('Warning: whether the PGO operator runs could not be checked (its Deployment was not readable): nothing may act on the request.\n');
  let { pre, unreadable } = await check(client, cur, args);
  if (unreadable.length) say(`Warning: could not read ConfigMap ${unreadable.join(', ')} in namespace "${namespace}" (ask for: get configmaps): a nofailover tag in the instance config was not checked (the member status on the pod was).\n`);
  const refuse = (p: PreflightResult): number => {
    result.refusals = p.refusals;
    io.err(`error: refusing to ${args.type.toLowerCase()} ${where}; nothing was changed:\n${p.refusals.map((r) => `  - ${r.message}`).join('\n')}\n`);
    return finish(1, 'refused');
  };
  if (!pre.ok) return refuse(pre);

  let trigger = freshTrigger(d.now(), d.random);
  let planned = requestChange(cur, pre, args, trigger);
  const target = pre.target!;
  result.from = pre.primary?.name;
  result.to = target.name;
  result.choice = pre.choice;
  result.trigger = trigger;
  result.patch = planned.changes[0].patch;
  say(`${args.type} of ${where}: ${pre.primary ? `primary ${pre.primary.name}` : 'no primary'} -> ${target.name}\n  ${pre.choice}\n`);
  say(['Plan (1 change):', ...renderChange(planned.changes[0], 1)].join('\n') + '\n');
  say(args.keepEnabled ? 'Afterwards the switchover stays enabled (--keep-enabled): disarm it with kubectl pgo heal.\n' : 'Afterwards: disable the switchover and remove the trigger annotation again (a second conditional write).\n');

  if (args.dryRun === 'client') {
    say('Dry run (client): nothing was sent to the server.\n');
    return finish(0, 'dry-run');
  }
  if (args.dryRun === 'none' && !(await confirm(io, `${args.type} ${where} to ${target.name}?`, { yes: args.yes, verb }))) {
    io.err('Aborted: nothing was changed.\n');
    return finish(1, 'declined');
  }

  let outcome: ApplyOutcome;
  outcome = await applyPlanned(
    client,
    planned,
    {
      replan: async () => {
        cur = await look(client, scope, args, d);
        ({ pre } = await check(client, cur, args));
        if (!pre.ok) {
          result.refusals = pre.refusals;
          throw new ExitError(`error: ${where} changed since it was read and the switchover is no longer possible; nothing was changed:\n${pre.refusals.map((r) => `  - ${r.message}`).join('\n')}`, 1);
        }
        trigger = freshTrigger(d.now(), d.random);
        planned = requestChange(cur, pre, args, trigger);
        result.to = pre.target!.name;
        result.trigger = trigger;
        result.patch = planned.changes[0].patch;
        return planned;
      },
      show: (p) => say(['New plan, made from the object as it is now:', ...renderChange(p.changes[0], 1)].join('\n') + '\n'),
      confirm: () => confirm(io, `${args.type} ${where} to ${result.to}?`, { yes: args.yes, verb }),
      log: (l) => say(`${l}\n`),
    },
    { dryRun: args.dryRun === 'server' ? 'server' : 'none', backupDir: args.backupDir, now: d.now },
  );
  result.backups = outcome.writes.flatMap((w) => (w.backup ? [w.backup] : []));
  if (outcome.result === 'dry-run') {
    say('Dry run (server): the server accepted the request; nothing was stored.\n');
    return finish(0, 'dry-run');
  }
  if (outcome.result !== 'applied') {
    io.err(outcome.result === 'declined' ? 'Aborted: nothing was changed.\n' : `error: ${where} kept changing (${outcome.conflicts.length} conflicts); nothing was written.\n`);
    return finish(1, outcome.result === 'declined' ? 'declined' : 'refused');
  }
  const targetName = result.to!;
  if (!args.wait) {
    say(`Requested; not waiting (--wait=false). The switchover stays enabled until you disarm it: kubectl pgo heal ${args.cluster} -n ${namespace}\n`);
    return finish(0, 'requested');
  }

  // Wait: PGO's status AND Patroni's leader (annotation and role labels) must agree.
  const writtenAt = d.now().getTime();
  const deadline = writtenAt + args.timeoutMs;
  let state: SwitchoverState | undefined;
  let lastLine = '';
  const written = `the switchover request was written (trigger ${JSON.stringify(trigger)}; backup: ${result.backups.join(', ') || 'none'})`;
  for (;;) {
    await d.sleep(d.pollMs ?? 1000);
    const next = await readWhileWaiting(() => look(client, scope, args, d), written, (l) => {
      if (l !== lastLine) say(`[${seconds(d.now().getTime() - writtenAt)}] ${l}\n`);
      lastLine = l;
    });
    if (readFailed(next)) {
      if (d.now().getTime() < deadline) continue;
      io.err(`Not verified within ${seconds(args.timeoutMs)}: ${written}; the API server did not answer at the end (${next.failed}). The request is still in place. To cancel it: kubectl pgo heal ${args.cluster} -n ${namespace}\n`);
      return finish(2, 'not-verified');
    }
    cur = next;
    state = switchoverState(cur.view, trigger, targetName);
    const blocked = cur.findings.find((f) => f.code === 'SwitchoverBlocked' && f.cluster?.name === args.cluster && f.cluster.namespace === namespace);
    const line = state.done ? state.line : `${state.line}${blocked ? `; PGO reports: ${blocked.message}` : ''}`;
    if (line !== lastLine) say(`[${seconds(d.now().getTime() - writtenAt)}] ${line}\n`);
    lastLine = line;
    if (state.done) break;
    if (d.now().getTime() >= deadline) {
      result.verified = { statusDone: state.statusDone, leader: state.leader ?? null, leaderIsTarget: state.leaderIsTarget, targetLabelled: state.targetLabelled };
      const mine = cur.findings.filter((f) => (f.cluster === null || (f.cluster.name === args.cluster && f.cluster.namespace === namespace)) && f.severity !== 'info');
      result.remaining = mine.map((f) => ({ code: f.code, message: f.message }));
      const lines = [`Not verified within ${seconds(args.timeoutMs)}: ${state.line.replace(/^waiting: /, '')}`];
      if (mine.length) {
        lines.push('What PGO is stuck on:');
        for (const f of mine) lines.push(`  ${f.code}: ${f.message}`, ...f.detail.split('\n').map((x) => `    ${x}`));
      } else lines.push('No finding explains it; read the operator log for "reconcilePatroniSwitchover".');
      lines.push(`The request is still in place. To cancel it: kubectl pgo heal ${args.cluster} -n ${namespace}`);
      io.err(lines.join('\n') + '\n');
      return finish(2, 'not-verified');
    }
  }
  result.verified = { statusDone: state.statusDone, leader: state.leader ?? null, leaderIsTarget: state.leaderIsTarget, targetLabelled: state.targetLabelled };
  say(`Switched over: ${state.leader} is the primary (Patroni leader and role labels agree; status.patroni.switchover = "${trigger}") after ${seconds(d.now().getTime() - writtenAt)}.\n`);

  if (args.keepEnabled) {
    result.cleanup = 'kept (--keep-enabled)';
    say(`Left enabled (--keep-enabled). Disarm it later with: kubectl pgo heal ${args.cluster} -n ${namespace}\n`);
    return finish(0, 'switched-over');
  }
  // Clean up: the same disarming write heal makes, conditional on the object as it is now.
  const cleanupPlan = (l: Look): Planned => {
    const o = l.view.object;
    const armed = o.spec?.patroni?.switchover?.enabled === true || !!o.metadata.annotations?.[LABEL.triggerSwitchover];
    if (!armed) return { changes: [], before: new Map() };
    const rv = o.metadata.resourceVersion ?? '';
    const change: Change = {
      target: postgresClusterRef(o.apiVersion ?? l.view.apiVersion, l.view.namespace, l.view.name),
      resourceVersion: rv,
      patchType: 'merge',
      patch: disarmSwitchoverPatch(rv),
      summary: `disable spec.patroni.switchover and remove the ${LABEL.triggerSwitchover} annotation`,
      reasons: [{ code: 'Cleanup', finding: 'the switchover is done', why: 'a switchover left enabled fires again on the next trigger; this is how the incident starts' }],
    };
    return { changes: [change], before: new Map([[refKey(change.target), o]]) };
  };
  try {
    const c = await applyPlanned(
      client,
      cleanupPlan(cur),
      {
        replan: async () => cleanupPlan((cur = await look(client, scope, args, d))),
        show: () => undefined,
        confirm: async () => true, // the same write, on a fresh read: agreed to with the switchover
        log: (l) => say(`${l}\n`),
      },
      { dryRun: 'none', backupDir: args.backupDir, now: d.now },
    );
    result.backups.push(...c.writes.flatMap((w) => (w.backup ? [w.backup] : [])));
    result.cleanup = c.result === 'applied' || c.result === 'nothing-left' ? 'done' : 'failed';
  } catch (e) {
    result.cleanup = 'failed';
    io.err(`Warning: the switchover is done but the clean-up failed: ${(e as Error).message.split('\n')[0]}. Disarm it with: kubectl pgo heal ${args.cluster} -n ${namespace}\n`);
    return finish(0, 'switched-over');
  }
  if (result.cleanup === 'failed') io.err(`Warning: the clean-up could not be written; disarm it with: kubectl pgo heal ${args.cluster} -n ${namespace}\n`);
  else say('Cleaned up: spec.patroni.switchover disabled, trigger annotation removed.\n');
  return finish(0, 'switched-over');
}
