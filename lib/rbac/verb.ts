// `kubectl pgo rbac`: arguments -> the YAML of lib/rbac/manifest.ts. Never talks to the cluster
// (the namespace default is the kubeconfig context's, read from the file only).
import { UsageError } from '../cli/exit.ts';
import type { GlobalFlags } from '../cli/global-flags.ts';
import type { IO } from '../cli/io.ts';
import { rbacYaml, type RbacRequest, type Subject } from './manifest.ts';
import { RBAC_VERBS } from './requirements.ts';

export const DEFAULT_OPERATOR_NAMESPACE = 'postgres-operator';
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

const list = (v: unknown): string[] => (v === undefined ? [] : ([] as unknown[]).concat(v).map(String));

function subjectsOf(argv: Record<string, unknown>): Subject[] {
  const out: Subject[] = [];
  for (const raw of list(argv.serviceaccount)) {
    const m = /^([^:/]+)[:/]([^:/]+)$/.exec(raw);
    if (!m || !NAME.test(m[1]) || !NAME.test(m[2])) throw new UsageError(`error: --serviceaccount "${raw}" must be NAMESPACE:NAME (as kubectl create rolebinding takes it)`);
    out.push({ kind: 'ServiceAccount', namespace: m[1], name: m[2] });
  }
  for (const name of list(argv.user)) {
    if (!name.trim()) throw new UsageError('error: --user needs a user name');
    out.push({ kind: 'User', name });
  }
  for (const name of list(argv.group)) {
    if (!name.trim()) throw new UsageError('error: --group needs a group name');
    out.push({ kind: 'Group', name });
  }
  return out;
}

/** The namespace of the kubeconfig's current context, as kubectl create role would use it. */
async function contextNamespace(flags: GlobalFlags): Promise<string> {
  try {
    const { contextFor } = await import('../kube/connect.ts');
    return contextFor(flags, process.env).namespace || 'default';
  } catch {
    return 'default';
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function parseRbacArgs(argv: any, flags: GlobalFlags): Promise<RbacRequest> {
  const asked = list(argv.verbs).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const verbs = asked.length === 0 || asked.includes('all') ? [...RBAC_VERBS] : asked;
  for (const v of verbs) {
    if (!RBAC_VERBS.includes(v)) throw new UsageError(`error: --verbs: "${v}" is not a verb of kubectl pgo that reads the cluster; one of: ${RBAC_VERBS.join(', ')} (or all)`);
  }
  const ordered = RBAC_VERBS.filter((v) => verbs.includes(v));
  const operatorNamespace = String(argv.operatorNamespace ?? argv['operator-namespace'] ?? DEFAULT_OPERATOR_NAMESPACE);
  if (!NAME.test(operatorNamespace)) throw new UsageError(`error: --operator-namespace "${operatorNamespace}" is not a valid namespace name`);
  const name = String(argv.name ?? (ordered.length === RBAC_VERBS.length ? 'kubectl-pgo' : `kubectl-pgo-${ordered.join('-')}`));
  if (!NAME.test(name) || name.length > 200) throw new UsageError(`error: --name "${name}" is not a valid role name (lower case letters, digits, "-" and ".")`);
  // --user names a subject here (as in kubectl create rolebinding), not the kubeconfig user.
  const namespace = flags.allNamespaces ? undefined : (flags.namespace ?? (await contextNamespace({ ...flags, user: undefined })));
  if (namespace !== undefined && !NAME.test(namespace)) throw new UsageError(`error: "${namespace}" is not a valid namespace name`);
  const optional = argv.optional !== false;
  const subjects = subjectsOf(argv);
  return { verbs: ordered, namespace, operatorNamespace, optional, name, subjects, command: commandLine(ordered, namespace, operatorNamespace, optional, name, subjects) };
}

/** The command that prints the same YAML again (no kubeconfig or credential flags in it). */
function commandLine(verbs: string[], namespace: string | undefined, operatorNamespace: string, optional: boolean, name: string, subjects: Subject[]): string {
  const words = ['kubectl pgo rbac', `--verbs ${verbs.length === RBAC_VERBS.length ? 'all' : verbs.join(',')}`, namespace === undefined ? '-A' : `-n ${namespace}`];
  if (operatorNamespace !== DEFAULT_OPERATOR_NAMESPACE) words.push(`--operator-namespace ${operatorNamespace}`);
  if (!optional) words.push('--optional=false');
  const defaultName = verbs.length === RBAC_VERBS.length ? 'kubectl-pgo' : `kubectl-pgo-${verbs.join('-')}`;
  if (name !== defaultName) words.push(`--name ${name}`);
  for (const s of subjects) words.push(s.kind === 'ServiceAccount' ? `--serviceaccount ${s.namespace}:${s.name}` : `--${s.kind.toLowerCase()} ${JSON.stringify(s.name)}`);
  return words.join(' ');
}

export function runRbac(req: RbacRequest, io: IO): number {
  io.out(rbacYaml(req));
  return 0;
}
