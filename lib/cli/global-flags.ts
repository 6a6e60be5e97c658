// The flags every verb shares, spelled as kubectl spells them.
import type { Argv } from 'yargs';
import type { ColorMode } from './io.ts';

export interface GlobalFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces: boolean;
  requestTimeout?: string;
  color: ColorMode;
}

export function withGlobalFlags<T>(y: Argv<T>) {
  return y
    .option('kubeconfig', { type: 'string', describe: 'Path to the kubeconfig file to use', global: true })
    .option('context', { type: 'string', describe: 'The name of the kubeconfig context to use', global: true })
    .option('namespace', { alias: 'n', type: 'string', describe: 'Namespace (default: the context\'s, else "default")', global: true })
    .option('all-namespaces', { alias: 'A', type: 'boolean', default: false, describe: 'Across all namespaces', global: true })
    .option('request-timeout', { type: 'string', describe: 'Time to wait for one API request (e.g. 10s, 1m; 0 = no limit)', global: true })
    .option('color', { choices: ['auto', 'always', 'never'] as const, default: 'auto' as ColorMode, describe: 'Colour output (auto: only on a terminal, honouring NO_COLOR)', global: true });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function globalFlagsOf(argv: any): GlobalFlags {
  return {
    kubeconfig: argv.kubeconfig,
    context: argv.context,
    namespace: argv.namespace,
    allNamespaces: Boolean(argv.allNamespaces ?? argv['all-namespaces']),
    requestTimeout: argv.requestTimeout ?? argv['request-timeout'],
    color: (argv.color ?? 'auto') as ColorMode,
  };
}
