// `kubectl pgo dump`: arguments, and the dependencies the real run uses (tests bring their own).
import { UsageError } from '../cli/exit.ts';
import type { GlobalFlags } from '../cli/global-flags.ts';
import { parseOperatorLogFlag } from '../cli/operator-log-flag.ts';
import type { DumpArgs, DumpDeps, LogText } from './run.ts';

export { runDump } from './run.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function parseDumpArgs(argv: any, flags: GlobalFlags): DumpArgs {
  const target = argv.filename === undefined ? '' : String(argv.filename).trim();
  if (target === '' || target === '-') throw new UsageError('error: -f/--filename needs a FILE.tar.gz or a directory (a dump is several files, never stdout)');
  const cluster: string | undefined = argv.cluster === undefined || argv.cluster === '' ? undefined : String(argv.cluster);
  if (cluster !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(cluster)) {
    throw new UsageError(`error: "${cluster}" is not a valid PostgresCluster name (lower case letters, digits and "-")`);
  }
  if (cluster !== undefined && flags.allNamespaces) throw new UsageError('error: a cluster name cannot be used with -A; name its namespace with -n');
  return { flags, cluster, target, operatorLog: parseOperatorLogFlag(argv.operatorLog ?? argv['operator-log']) };
}

export async function defaultDumpDeps(): Promise<DumpDeps> {
  const [{ connect }, { collect }, { clientInfo }] = await Promise.all([
    import('../kube/connect.ts'),
    import('../collect/collect.ts'),
    import('../version/client.ts'),
  ]);
  return {
    connect: (flags) => connect(flags),
    collect: async (client, scope, operatorLog) => {
      const logs: LogText[] = [];
      const snapshot = await collect(client, scope, { operatorLog, onLogText: (pod, text) => logs.push({ ...pod, pod: pod.name, text }) });
      return { snapshot, logs };
    },
    now: () => new Date(),
    version: (await clientInfo()).version,
  };
}
