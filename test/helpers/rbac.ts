// Tests only: identities with exactly the RBAC a test gives them, and a kubeconfig for each.
// Default: a ServiceAccount with a TokenRequest token (unique per test, works on any cluster).
// On the sandbox, the token-file users kpgo-restricted-1..8 are there too (plain user names).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dump, load } from 'js-yaml';
import { adminKubeconfigPath, api, apiOk, createNamespace, sandboxDir, uniqueName } from './sandbox.ts';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export interface TestUser {
  /** The name RBAC sees, e.g. system:serviceaccount:kpgo-e2e-users:status-ab12cd. */
  username: string;
  kubeconfig: string;
  /** Deletes the roles, bindings, ServiceAccount and kubeconfig. */
  cleanup(): Promise<void>;
}

export interface Grants {
  /** Rules granted in every namespace (a ClusterRole + ClusterRoleBinding). */
  clusterRules?: PolicyRule[];
  /** Rules granted per namespace (a Role + RoleBinding in each). */
  namespaceRules?: Record<string, PolicyRule[]>;
}

/** Read-only rules for what `kubectl pgo status` reads, minus any resource in `without`. */
export function readRules(without: string[] = []): PolicyRule[] {
  const all: Array<[string, string[]]> = [
    ['postgres-operator.crunchydata.com', ['postgresclusters']],
    ['apps', ['statefulsets', 'deployments']],
    ['batch', ['jobs']],
    ['', ['pods', 'persistentvolumeclaims', 'endpoints', 'services', 'events', 'namespaces']],
    ['events.k8s.io', ['events']],
    ['apiextensions.k8s.io', ['customresourcedefinitions']],
  ];
  return all
    .map(([g, rs]) => ({ apiGroups: [g], resources: rs.filter((r) => !without.includes(r)), verbs: ['get', 'list', 'watch'] }))
    .filter((r) => r.resources.length > 0);
}

const USERS_NS = 'kpgo-e2e-users';

/** A kubeconfig for the admin kubeconfig's cluster, authenticating with `token` as `user`. */
export function kubeconfigWithToken(user: string, token: string, dir: string): string {
  const adminPath = adminKubeconfigPath();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const admin = load(readFileSync(adminPath, 'utf8')) as any;
  const ctx = admin.contexts.find((c: { name: string }) => c.name === admin['current-context']).context;
  const cluster = structuredClone(admin.clusters.find((c: { name: string }) => c.name === ctx.cluster));
  const ca = cluster.cluster['certificate-authority'];
  if (ca) cluster.cluster['certificate-authority'] = path.resolve(path.dirname(adminPath), ca);
  const file = path.join(dir, 'kubeconfig');
  const kc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [cluster],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: user, context: { cluster: cluster.name, user, namespace: 'default' } }],
    'current-context': user,
  };
  writeFileSync(file, dump(kc), { mode: 0o600 });
  return file;
}

async function grant(subject: object, tag: string, g: Grants, k: { kubeconfig?: string }): Promise<Array<() => Promise<unknown>>> {
  const undo: Array<() => Promise<unknown>> = [];
  const rbac = '/apis/rbac.authorization.k8s.io/v1';
  if (g.clusterRules) {
    await apiOk('POST', `${rbac}/clusterroles`, { metadata: { name: tag, labels: { 'kpgo.test/e2e': 'true' } }, rules: g.clusterRules }, k);
    undo.push(() => api('DELETE', `${rbac}/clusterroles/${tag}`, undefined, k));
    await apiOk('POST', `${rbac}/clusterrolebindings`, { metadata: { name: tag }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: tag }, subjects: [subject] }, k);
    undo.push(() => api('DELETE', `${rbac}/clusterrolebindings/${tag}`, undefined, k));
  }
  for (const [ns, rules] of Object.entries(g.namespaceRules ?? {})) {
    await apiOk('POST', `${rbac}/namespaces/${ns}/roles`, { metadata: { name: tag }, rules }, k);
    undo.push(() => api('DELETE', `${rbac}/namespaces/${ns}/roles/${tag}`, undefined, k));
    await apiOk('POST', `${rbac}/namespaces/${ns}/rolebindings`, { metadata: { name: tag }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: tag }, subjects: [subject] }, k);
    undo.push(() => api('DELETE', `${rbac}/namespaces/${ns}/rolebindings/${tag}`, undefined, k));
  }
  return undo;
}

/** A ServiceAccount with exactly `grants`, and a kubeconfig holding a 1-hour TokenRequest token. */
export async function userWithRules(prefix: string, grants: Grants, opts: { kubeconfig?: string } = {}): Promise<TestUser> {
  const k = { kubeconfig: opts.kubeconfig };
  const name = uniqueName(prefix);
  const user = await serviceAccountUser(name, opts);
  const undo = await grant({ kind: 'ServiceAccount', name, namespace: USERS_NS }, `kpgo-e2e-${name}`, grants, k);
  return {
    ...user,
    cleanup: async () => {
      for (const u of undo.reverse()) await u();
      await user.cleanup();
    },
  };
}

/** A ServiceAccount NAME in kpgo-e2e-users with no rights at all (bind it yourself), and a
 *  kubeconfig holding a 1-hour TokenRequest token for it. */
export async function serviceAccountUser(name: string, opts: { kubeconfig?: string } = {}): Promise<TestUser & { serviceAccount: { namespace: string; name: string } }> {
  const k = { kubeconfig: opts.kubeconfig };
  await createNamespace(USERS_NS, k);
  await apiOk('POST', `/api/v1/namespaces/${USERS_NS}/serviceaccounts`, { metadata: { name } }, k);
  const tr = await apiOk<{ status: { token: string } }>('POST', `/api/v1/namespaces/${USERS_NS}/serviceaccounts/${name}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } }, k);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kpgo-e2e-user-'));
  return {
    username: `system:serviceaccount:${USERS_NS}:${name}`,
    serviceAccount: { namespace: USERS_NS, name },
    kubeconfig: kubeconfigWithToken(name, tr.status.token, dir),
    cleanup: async () => {
      await api('DELETE', `/api/v1/namespaces/${USERS_NS}/serviceaccounts/${name}`, undefined, k);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One of the sandbox's token-file users (kpgo-restricted-1..8) with exactly `grants`. Tests that
 *  use the same user must not run at once; prefer userWithRules. Sandbox only. */
export async function tokenUserWithRules(n: number, grants: Grants, opts: { kubeconfig?: string } = {}): Promise<TestUser> {
  const username = `kpgo-restricted-${n}`;
  const line = readFileSync(path.join(sandboxDir, 'tokens.csv'), 'utf8')
    .split('\n')
    .find((l) => l.split(',')[1] === username);
  if (!line) throw new Error(`${username} is not in ${sandboxDir}/tokens.csv`);
  const k = { kubeconfig: opts.kubeconfig };
  const undo = await grant({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: username }, `kpgo-e2e-${username}-${uniqueName('g')}`, grants, k);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kpgo-e2e-user-'));
  return {
    username,
    kubeconfig: kubeconfigWithToken(username, line.split(',')[0], dir),
    cleanup: async () => {
      for (const u of undo.reverse()) await u();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
