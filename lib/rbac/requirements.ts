// The one source of what each verb may ask the API server for: every request it makes, as RBAC
// sees it (API group, resource, verb, where), whether the verb can run without it and what it
// loses then. The help tables (lib/rbac/help-table.ts), `kubectl pgo rbac` (lib/rbac/manifest.ts)
// and the README table are generated from it; test/e2e/api/rbac.test.ts holds it to the real API
// server (a user with exactly these rules runs each verb; with one permission less, the verb does
// what `optional`/`says` below claim).

export const PGO_GROUP = 'postgres-operator.crunchydata.com';
export const PGC_CRD_NAME = `postgresclusters.${PGO_GROUP}`;

/**
 * namespace: the namespace the verb looks at (a Role there; with -A a ClusterRole).
 * cluster: always across the cluster (a ClusterRole), whatever -n says.
 * operator: the namespace PGO runs in (a Role there; --operator-namespace).
 */
export type RbacScope = 'namespace' | 'cluster' | 'operator';

/** When a verb makes the request; absent: on every run that reaches the API. */
export type When =
  | 'cluster-named'
  | 'no-cluster-named'
  | 'not-found'
  | 'watch'
  | 'manifest'
  | 'manifest-new'
  | 'write'
  | 'operator-log'
  | 'custom-install'
  | 'no-operator-deployment';

export const WHEN_TEXT: Record<When, string> = {
  'cluster-named': 'with CLUSTER',
  'no-cluster-named': 'without CLUSTER, or with -A',
  'not-found': 'to name the clusters there when CLUSTER is not found',
  watch: 'with --watch',
  manifest: 'with -f',
  'manifest-new': 'with -f naming a cluster that does not exist yet',
  write: 'unless --dry-run=client',
  'operator-log': 'unless --operator-log=off',
  'custom-install': 'for an operator Deployment labelled only on its pod template',
  'no-operator-deployment': 'when no Deployment carries the control-plane label',
};

export interface Requirement {
  /** API group; '' is the core group. */
  group: string;
  resources: string[];
  verbs: string[];
  scope: RbacScope;
  resourceNames?: string[];
  when?: When;
  /** false: without it the verb stops, exit `failsWith`, naming the permission, nothing written. */
  optional: boolean;
  /** What the verb does without it (optional) or why it cannot do without it (required). */
  without: string;
  /** Optional only: what it prints instead. warning: a `Warning:` line naming the permission (the
   *  rest reported, the usual exit codes); note: a line of its own output naming it; nothing: it
   *  says nothing (what is lost is small or shown elsewhere). */
  says?: 'warning' | 'note' | 'nothing';
}

export interface VerbRbac {
  verb: string;
  /** The exit code when a required permission is missing. */
  failsWith: number;
  /** What one line under the table adds (none: nothing to add). */
  footnote?: string;
  requirements: Requirement[];
}

const CORE = '';
const APPS = 'apps';
const BATCH = 'batch';

const clusters = (forSwitchover: boolean): Requirement[] =>
  forSwitchover
    ? [
        { group: PGO_GROUP, resources: ['postgresclusters'], verbs: ['get'], scope: 'namespace', optional: false, without: 'the cluster to switch over' },
        { group: PGO_GROUP, resources: ['postgresclusters'], verbs: ['list'], scope: 'namespace', when: 'not-found', optional: true, says: 'nothing', without: 'a CLUSTER that is not found is named alone' },
      ]
    : [
        { group: PGO_GROUP, resources: ['postgresclusters'], verbs: ['get'], scope: 'namespace', when: 'cluster-named', optional: false, without: 'nothing can be reported without the cluster' },
        { group: PGO_GROUP, resources: ['postgresclusters'], verbs: ['list'], scope: 'namespace', when: 'no-cluster-named', optional: false, without: 'nothing can be reported without the clusters' },
      ];

const UNKNOWN = 'what depends on it is Unknown';

/** The LISTs of collect (lib/collect/collect.ts), one per resource, by the cluster label. */
const objectLists = (requiredBySwitchover: boolean): Requirement[] => {
  const list = (group: string, resource: string, without: string, required = false): Requirement =>
    required
      ? { group, resources: [resource], verbs: ['list'], scope: 'namespace', optional: false, without: `${without.replace(`${UNKNOWN} (`, '').replace(/\)$/, '')} come from it; switchover refuses rather than act on a cluster it cannot see` }
      : { group, resources: [resource], verbs: ['list'], scope: 'namespace', optional: true, says: 'warning', without };
  const r = requiredBySwitchover;
  return [
    list(APPS, 'statefulsets', `${UNKNOWN} (instances)`, r),
    list(CORE, 'pods', `${UNKNOWN} (readiness, Patroni roles, the primary)`, r),
    list(CORE, 'endpoints', `${UNKNOWN} (the Patroni leader, replication lag)`, r),
    list(CORE, 'persistentvolumeclaims', `${UNKNOWN} (volumes)`),
    list(CORE, 'services', 'Services are not shown'),
    list(APPS, 'deployments', `${UNKNOWN} (pgBouncer, the repo host)`),
    list(BATCH, 'jobs', `${UNKNOWN} (backup Jobs)`),
    list(CORE, 'events', "PGO's Events (and its Warning Events) are not shown"),
  ];
};

const OPERATOR_UNKNOWN = 'the operator is not found: whether it runs, and its version, are unknown';

const operatorLookup = (consequence = ''): Requirement[] => [
  { group: APPS, resources: ['deployments'], verbs: ['list'], scope: 'cluster', optional: true, says: 'warning', without: `${OPERATOR_UNKNOWN}${consequence}` },
  { group: CORE, resources: ['pods'], verbs: ['list'], scope: 'cluster', optional: true, says: 'warning', without: `${OPERATOR_UNKNOWN}${consequence}` },
  { group: APPS, resources: ['deployments'], verbs: ['get'], scope: 'operator', when: 'custom-install', optional: true, says: 'warning', without: 'that Deployment is not read: whether the operator runs is unknown (its pods are found)' },
];

const crd: Requirement = {
  group: 'apiextensions.k8s.io',
  resources: ['customresourcedefinitions'],
  verbs: ['get'],
  scope: 'cluster',
  resourceNames: [PGC_CRD_NAME],
  optional: true,
  says: 'nothing',
  without: "PGO's release is not read from the CRD (OperatorVersionSkew is not checked)",
};

const operatorLog: Requirement = {
  group: CORE,
  resources: ['pods/log'],
  verbs: ['get'],
  scope: 'operator',
  when: 'operator-log',
  optional: true,
  says: 'warning',
  without: "PGO's own log is not read: its reconcile errors (ReconcileFailing) are not reported",
};

const patch = (what: string): Requirement => ({
  group: PGO_GROUP,
  resources: ['postgresclusters'],
  verbs: ['patch'],
  scope: 'namespace',
  when: 'write',
  optional: false,
  without: `${what}; refused by the API server, nothing written, the backup file removed`,
});

export const RBAC: VerbRbac[] = [
  {
    verb: 'status',
    failsWith: 1,
    requirements: [
      ...clusters(false),
      ...objectLists(false),
      { group: PGO_GROUP, resources: ['postgresclusters'], verbs: ['watch'], scope: 'namespace', when: 'watch', optional: true, says: 'warning', without: 'changes are noticed by a slow poll instead' },
      { group: APPS, resources: ['statefulsets'], verbs: ['watch'], scope: 'namespace', when: 'watch', optional: true, says: 'warning', without: 'changes are noticed by a slow poll instead' },
      { group: CORE, resources: ['pods'], verbs: ['watch'], scope: 'namespace', when: 'watch', optional: true, says: 'warning', without: 'changes are noticed by a slow poll instead' },
      { group: CORE, resources: ['endpoints', 'persistentvolumeclaims', 'services'], verbs: ['watch'], scope: 'namespace', when: 'watch', optional: true, says: 'warning', without: 'changes are noticed by a slow poll instead' },
      ...operatorLookup(),
      crd,
      operatorLog,
    ],
  },
  {
    verb: 'diff',
    failsWith: 2,
    requirements: [
      ...clusters(false),
      { group: PGO_GROUP, resources: ['postgresclusters'], verbs: ['get'], scope: 'namespace', when: 'manifest', optional: false, without: 'the live object the manifest is compared with' },
      { group: PGO_GROUP, resources: ['postgresclusters'], verbs: ['update'], scope: 'namespace', when: 'manifest', optional: false, without: 'the server-side dry run (dryRun=All, nothing stored) that defaults and validates the manifest' },
      { group: PGO_GROUP, resources: ['postgresclusters'], verbs: ['create'], scope: 'namespace', when: 'manifest-new', optional: false, without: 'the server-side dry run (dryRun=All, nothing stored) of a new cluster' },
      ...objectLists(false),
      ...operatorLookup(),
      crd,
    ],
  },
  {
    verb: 'heal',
    failsWith: 1,
    footnote: 'heal never creates or deletes anything and never touches PVCs, Secrets, StatefulSets or pods.',
    requirements: [
      ...clusters(false),
      patch('the one write heal makes (a conditional merge patch)'),
      ...objectLists(false),
      ...operatorLookup('; heal says it cannot tell whether PGO will act'),
      crd,
      operatorLog,
    ],
  },
  {
    verb: 'switchover',
    failsWith: 1,
    footnote: 'switchover never creates or deletes anything: PGO and Patroni do the switchover itself.',
    requirements: [
      ...clusters(true),
      patch('the request (and the clean-up afterwards)'),
      ...objectLists(true),
      { group: CORE, resources: ['configmaps'], verbs: ['get'], scope: 'namespace', optional: true, says: 'warning', without: 'a nofailover tag in <instance>-config is not checked (the member status on the pod is)' },
      ...operatorLookup('; switchover says it cannot tell whether PGO will act'),
      crd,
    ],
  },
  {
    verb: 'dump',
    failsWith: 1,
    requirements: [
      ...clusters(false),
      ...objectLists(false).map((r) => ({ ...r, without: r.without.replace(UNKNOWN, 'not in the dump; status --from reports it Unknown').replace(/are not shown$/, 'are not in the dump') })),
      ...operatorLookup(),
      { ...crd, without: "the CRD's release is not in the dump" },
      { ...operatorLog, without: "PGO's own log is not in the dump" },
    ],
  },
  {
    verb: 'version',
    failsWith: 1,
    requirements: [
      { group: APPS, resources: ['deployments'], verbs: ['list'], scope: 'cluster', optional: false, without: 'the operator is looked for in the current namespace only (needs list deployments there)' },
      { group: CORE, resources: ['pods'], verbs: ['list'], scope: 'cluster', when: 'no-operator-deployment', optional: true, says: 'nothing', without: 'operator pods without a labelled Deployment are not found' },
      { ...crd, says: 'note', without: "the CRD's release is not shown (a Note line says so)" },
    ],
  },
  {
    verb: 'completion',
    failsWith: 1,
    requirements: [
      { group: PGO_GROUP, resources: ['postgresclusters'], verbs: ['list'], scope: 'namespace', optional: true, says: 'nothing', without: 'no cluster names are offered' },
      { group: APPS, resources: ['statefulsets'], verbs: ['list'], scope: 'namespace', optional: true, says: 'nothing', without: 'no instance names are offered' },
      { group: CORE, resources: ['namespaces'], verbs: ['list'], scope: 'cluster', optional: true, says: 'nothing', without: 'no namespace names are offered' },
    ],
  },
];

export const RBAC_VERBS = RBAC.map((v) => v.verb);

export function rbacOf(verb: string): VerbRbac {
  const v = RBAC.find((x) => x.verb === verb);
  if (!v) throw new Error(`internal error: no RBAC requirements for verb ${verb}`);
  return v;
}

/** One permission as RBAC checks it: `kubectl auth can-i VERB RESOURCE[.GROUP]`. */
export interface Permission {
  scope: RbacScope;
  group: string;
  resource: string;
  verb: string;
  resourceNames?: string[];
}

export const permissionKey = (p: Permission) => `${p.scope} ${p.verb} ${qualified(p.group, p.resource)}${p.resourceNames ? ` ${p.resourceNames.join(',')}` : ''}`;

/** pods, statefulsets.apps, postgresclusters.postgres-operator.crunchydata.com (kubectl's spelling). */
export const qualified = (group: string, resource: string) => (group ? `${resource}.${group}` : resource);

/** Each requirement split into single permissions (one resource, one verb). */
export function permissionsOf(reqs: Requirement[]): Array<Permission & { req: Requirement }> {
  return reqs.flatMap((req) =>
    req.resources.flatMap((resource) =>
      req.verbs.map((verb) => ({ scope: req.scope, group: req.group, resource, verb, ...(req.resourceNames ? { resourceNames: req.resourceNames } : {}), req })),
    ),
  );
}
