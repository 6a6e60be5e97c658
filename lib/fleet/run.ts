// `status --contexts a,b,c | --all-contexts`: the same status, collected from several kubeconfig
// contexts at once (bounded), rendered as one table, one FleetReport or one metrics page.
// A context that cannot be read is a line of its own and never stops the others.
import { ExitError } from '../cli/exit.ts';
import type { IO } from '../cli/io.ts';
import { isMachineFormat } from '../cli/output.ts';
import type { ApiClient } from '../kube/api.ts';
import { kubeconfigPaths, loadKubeconfig } from '../kube/kubeconfig.ts';
import type { Scope } from '../collect/collect.ts';
import { renderJSON, renderYAML } from '../render/machine.ts';
import { renderPrometheus } from '../render/prometheus.ts';
import type { StatusArgs, StatusDeps } from '../verbs/status.ts';
import { buildFleetReport, fleetExitCode, type ContextReport, type FleetReport } from './report.ts';
import { renderFleetTable } from './render.ts';

/** Without --request-timeout a context whose server drops packets would hold the whole fleet for minutes. */
export const FLEET_DEFAULT_REQUEST_TIMEOUT = '30s';
export const DEFAULT_CONTEXT_CONCURRENCY = 8;

export interface FleetHooks {
  reportOf(snap: Parameters<StatusDeps['runChecks']>[0], args: StatusArgs, deps: StatusDeps, scope: Scope): NonNullable<ContextReport['report']>;
  scopeOf(args: StatusArgs, defaultNamespace: string | undefined): Scope;
}

/** The contexts asked for: --contexts as given (unknown names become unreadable lines), or every context of the kubeconfig. */
export function fleetContexts(args: StatusArgs, env: NodeJS.ProcessEnv = process.env): string[] {
  if (args.contexts && args.contexts !== 'all') return args.contexts;
  const { paths, explicit } = kubeconfigPaths(args.flags.kubeconfig, env);
  const names = [...loadKubeconfig(paths, explicit).contexts.keys()];
  if (names.length === 0) throw new ExitError('error: --all-contexts: the kubeconfig defines no contexts');
  return names;
}

/** Runs fn over items with at most `limit` at once, keeping the order of items in the result. */
export async function mapBounded<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

const oneLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0].replace(/^error: /, '');

interface Live {
  context: string;
  client?: ApiClient;
  scope?: Scope;
  result: ContextReport;
}

async function readContext(name: string, args: StatusArgs, deps: StatusDeps, hooks: FleetHooks, live?: Live): Promise<Live> {
  try {
    const client = live?.client ?? (await deps.connect({ ...args.flags, context: name, requestTimeout: args.flags.requestTimeout ?? FLEET_DEFAULT_REQUEST_TIMEOUT }));
    const scope = live?.scope ?? hooks.scopeOf(args, client.defaultNamespace);
    const snap = await deps.collect(client, scope);
    const report = hooks.reportOf(snap, args, deps, scope);
    return { context: name, client, scope, result: { context: name, state: 'Read', error: null, report } };
  } catch (e) {
    return { context: name, client: live?.client, scope: live?.scope, result: { context: name, state: 'Unreadable', error: oneLine(e), report: null } };
  }
}

export function renderFleet(fleet: FleetReport, args: StatusArgs, color: boolean): { stdout: string; stderr: string } {
  if (args.output === 'json') return { stdout: renderJSON(fleet), stderr: '' };
  if (args.output === 'yaml') return { stdout: renderYAML(fleet), stderr: '' };
  if (args.output === 'prometheus') {
    return { stdout: renderPrometheus(fleet.contexts.map((c) => ({ context: c.context, report: c.report, error: c.error ?? undefined }))), stderr: '' };
  }
  return renderFleetTable(fleet, { color, wide: args.output === 'wide' });
}

export async function runFleet(args: StatusArgs, io: IO, deps: StatusDeps, hooks: FleetHooks): Promise<number> {
  const names = fleetContexts(args);
  const limit = args.contextConcurrency ?? DEFAULT_CONTEXT_CONCURRENCY;
  let lives = await mapBounded(names, limit, (n) => readContext(n, args, deps, hooks));
  const show = () => {
    const fleet = buildFleetReport(lives.map((l) => l.result), deps.now());
    const r = renderFleet(fleet, args, io.color);
    if (r.stdout) io.out(r.stdout);
    if (r.stderr) io.err(r.stderr);
    return fleet;
  };
  let fleet = show();
  if (!args.watch) return fleetExitCode(fleet);
  const { watchFleet } = await import('./watch.ts');
  await watchFleet(lives, deps, io, limit, (i) => readContext(names[i], args, deps, hooks, lives[i]), (updated) => {
    lives = updated;
    if (!isMachineFormat(args.output) && io.isTTY) io.out('\x1b[H\x1b[2J');
    else io.out(args.output === 'yaml' ? '---\n' : args.output === 'json' ? '' : '\n');
    fleet = show();
  });
  return fleetExitCode(fleet);
}
