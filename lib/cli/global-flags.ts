// The flags every verb shares, spelled as kubectl spells them (cli-runtime's ConfigFlags).
import type { Argv } from 'yargs';
import type { ColorMode } from './io.ts';

export interface GlobalFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces: boolean;
  requestTimeout?: string;
  color: ColorMode;
  cluster?: string;
  user?: string;
  server?: string;
  token?: string;
  insecureSkipTlsVerify?: boolean;
  certificateAuthority?: string;
  as?: string;
  asGroups?: string[];
  asUid?: string;
  /** --disable-compression: no gzip-encoded answers (kubectl's flag; the kubeconfig's cluster field too). */
  disableCompression?: boolean;
}

export function withGlobalFlags<T>(y: Argv<T>) {
  return y
    .option('kubeconfig', { type: 'string', describe: 'Path to the kubeconfig file to use', global: true })
    .option('context', { type: 'string', describe: 'The name of the kubeconfig context to use', global: true })
    .option('namespace', { alias: 'n', type: 'string', describe: 'Namespace (default: the context\'s, else "default")', global: true })
    .option('all-namespaces', { alias: 'A', type: 'boolean', default: false, describe: 'Across all namespaces', global: true })
    .option('request-timeout', { type: 'string', describe: 'Time to wait for one API request (e.g. 10s, 1m; 0 = no limit)', global: true })
    .option('color', { choices: ['auto', 'always', 'never'] as const, default: 'auto' as ColorMode, describe: 'Colour output (auto: only on a terminal, honouring NO_COLOR)', global: true })
    .option('cluster', { type: 'string', describe: 'The name of the kubeconfig cluster to use', global: true })
    .option('user', { type: 'string', describe: 'The name of the kubeconfig user to use', global: true })
    .option('server', { alias: 's', type: 'string', describe: 'The address and port of the Kubernetes API server', global: true })
    .option('token', { type: 'string', describe: 'Bearer token for authentication to the API server', global: true })
    .option('insecure-skip-tls-verify', { type: 'boolean', describe: "If true, the server's certificate will not be checked for validity (insecure)", global: true })
    .option('certificate-authority', { type: 'string', describe: 'Path to a cert file for the certificate authority', global: true })
    .option('as', { type: 'string', describe: 'Username to impersonate for the operation', global: true })
    // Not `array: true`: that would also swallow the words after it (`--as-group g hippo`); a repeated flag gives the list, as kubectl's StringArray.
    .option('as-group', { type: 'string', describe: 'Group to impersonate for the operation; repeat for several groups', global: true })
    .option('as-uid', { type: 'string', describe: 'UID to impersonate for the operation', global: true })
    .option('disable-compression', { type: 'boolean', describe: 'If true, opt-out of response compression for all requests to the server', global: true });
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : v === undefined || v === null || v === '' ? undefined : String(v));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function globalFlagsOf(argv: any): GlobalFlags {
  const groups = argv.asGroup ?? argv['as-group'];
  return {
    kubeconfig: argv.kubeconfig,
    context: argv.context,
    namespace: argv.namespace,
    allNamespaces: Boolean(argv.allNamespaces ?? argv['all-namespaces']),
    requestTimeout: argv.requestTimeout ?? argv['request-timeout'],
    color: (argv.color ?? 'auto') as ColorMode,
    cluster: str(argv.cluster),
    user: str(argv.user),
    server: str(argv.server),
    token: str(argv.token),
    insecureSkipTlsVerify: Boolean(argv.insecureSkipTlsVerify ?? argv['insecure-skip-tls-verify']),
    certificateAuthority: str(argv.certificateAuthority ?? argv['certificate-authority']),
    as: str(argv.as),
    asGroups: groups === undefined ? undefined : ([] as unknown[]).concat(groups).map(String).filter((g) => g !== ''),
    asUid: str(argv.asUid ?? argv['as-uid']),
    disableCompression: Boolean(argv.disableCompression ?? argv['disable-compression']) || undefined,
  };
}

/** The verbs' CLUSTER positional, handed to their argument parsers as `cluster`, once the global
 *  flags have read kubectl's own --cluster (a kubeconfig cluster) under that key. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function withClusterArg(argv: any): any {
  return { ...argv, cluster: argv.CLUSTER };
}
