// `kubectl pgo rbac`: the Roles/ClusterRoles (and bindings) the chosen verbs need, as YAML that
// `kubectl apply -f -` takes, made from lib/rbac/requirements.ts. Written by hand (not js-yaml) so
// each rule carries a comment saying which verbs need it and what is lost without it.
import { permissionsOf, qualified, rbacOf, WHEN_TEXT, type Permission, type RbacScope, type Requirement } from './requirements.ts';

export interface Subject {
  kind: 'ServiceAccount' | 'User' | 'Group';
  name: string;
  namespace?: string;
}

export interface RbacRequest {
  verbs: string[];
  /** The namespace the verbs look at; undefined: every namespace (-A, ClusterRole). */
  namespace?: string;
  operatorNamespace: string;
  /** false: only what the verbs cannot run without. */
  optional: boolean;
  name: string;
  subjects: Subject[];
  /** The command line, for the header. */
  command: string;
}

export interface RbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
  /** Comment lines printed above the rule. */
  comments: string[];
}

export interface RbacObject {
  kind: 'Role' | 'ClusterRole';
  name: string;
  namespace?: string;
  /** What the object is for (a comment above it). */
  purpose: string;
  rules: RbacRule[];
}

interface Needed extends Permission {
  optional: boolean;
  /** verb -> why (the requirement's text), per kubectl pgo verb. */
  why: Map<string, string[]>;
}

/** The single permissions the verbs need, each once: required if any verb requires it. */
export function neededPermissions(verbs: string[], optional: boolean): Needed[] {
  const byKey = new Map<string, Needed>();
  for (const verb of verbs) {
    for (const p of permissionsOf(rbacOf(verb).requirements)) {
      if (!optional && p.req.optional) continue;
      const key = `${p.scope}|${p.group}|${p.resource}|${p.verb}|${p.resourceNames?.join(',') ?? ''}`;
      const n = byKey.get(key) ?? { scope: p.scope, group: p.group, resource: p.resource, verb: p.verb, resourceNames: p.resourceNames, optional: true, why: new Map() };
      n.optional &&= p.req.optional;
      const texts = n.why.get(verb) ?? [];
      const text = describe(p.req);
      if (!texts.includes(text)) texts.push(text);
      n.why.set(verb, texts);
      byKey.set(key, n);
    }
  }
  return [...byKey.values()];
}

function describe(r: Requirement): string {
  const when = r.when ? ` (${WHEN_TEXT[r.when]})` : '';
  return r.optional ? `optional${when}: without it ${r.without}` : `required${when}: ${r.without}`;
}

const VERB_ORDER = ['get', 'list', 'watch', 'create', 'update', 'patch'];
const byVerbOrder = (a: string, b: string) => VERB_ORDER.indexOf(a) - VERB_ORDER.indexOf(b);

/** Permissions -> rules: one rule per resource (its verbs together), required ones before optional ones. */
export function rulesOf(needed: Needed[]): RbacRule[] {
  const groups = new Map<string, Needed[]>();
  for (const n of needed) {
    const key = `${n.optional ? 1 : 0}|${n.group}|${n.resource}|${n.resourceNames?.join(',') ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, ns]) => {
      const first = ns[0];
      const comments: string[] = [];
      for (const n of ns) {
        for (const [verb, texts] of n.why) for (const t of texts) comments.push(`${n.verb} - ${verb}, ${t}`);
      }
      return {
        apiGroups: [first.group],
        resources: [first.resource],
        verbs: [...new Set(ns.map((n) => n.verb))].sort(byVerbOrder),
        ...(first.resourceNames ? { resourceNames: first.resourceNames } : {}),
        comments: [...new Set(comments)],
      };
    });
}

const SCOPE_PURPOSE: Record<RbacScope, (r: RbacRequest) => string> = {
  namespace: (r) => (r.namespace === undefined ? 'in every namespace (-A)' : `in namespace ${r.namespace}, the one the verbs look at`),
  cluster: () => 'across the cluster (finding the operator, reading the CRD)',
  operator: (r) => `in namespace ${r.operatorNamespace}, where PGO runs`,
};

/** The Roles and ClusterRoles for a request. */
export function rbacObjects(r: RbacRequest): RbacObject[] {
  const needed = neededPermissions(r.verbs, r.optional);
  const of = (...scopes: RbacScope[]) => needed.filter((n) => scopes.includes(n.scope));
  const out: RbacObject[] = [];
  if (r.namespace === undefined) {
    const rules = rulesOf(of('namespace', 'cluster'));
    if (rules.length) out.push({ kind: 'ClusterRole', name: r.name, purpose: `${SCOPE_PURPOSE.namespace(r)} and ${SCOPE_PURPOSE.cluster(r)}`, rules });
  } else {
    const rules = rulesOf(of('namespace'));
    if (rules.length) out.push({ kind: 'Role', name: r.name, namespace: r.namespace, purpose: SCOPE_PURPOSE.namespace(r), rules });
    const wide = rulesOf(of('cluster'));
    if (wide.length) out.push({ kind: 'ClusterRole', name: `${r.name}-cluster`, purpose: SCOPE_PURPOSE.cluster(r), rules: wide });
  }
  const op = rulesOf(of('operator'));
  if (op.length) out.push({ kind: 'Role', name: `${r.name}-operator`, namespace: r.operatorNamespace, purpose: SCOPE_PURPOSE.operator(r), rules: op });
  return out;
}

// ---- text ------------------------------------------------------------------------------------

/** A YAML scalar: plain when safe, else double-quoted (JSON strings are valid YAML). */
export function scalar(s: string): string {
  return /^[a-z0-9]([-a-z0-9./]*[a-z0-9])?$/.test(s) && !/^(true|false|null|yes|no|on|off|y|n|~)$/i.test(s) && !/^[0-9.]+$/.test(s) ? s : JSON.stringify(s);
}

const flow = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;

function metadata(name: string, namespace: string | undefined): string[] {
  return [
    'metadata:',
    `  name: ${scalar(name)}`,
    ...(namespace !== undefined ? [`  namespace: ${scalar(namespace)}`] : []),
    '  labels:',
    '    app.kubernetes.io/managed-by: kubectl-pgo-rbac',
  ];
}

function roleText(o: RbacObject): string {
  const lines = [`# ${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}: ${o.purpose}`, 'apiVersion: rbac.authorization.k8s.io/v1', `kind: ${o.kind}`, ...metadata(o.name, o.namespace), 'rules:'];
  for (const rule of o.rules) {
    for (const c of rule.comments) lines.push(`  # ${c}`);
    lines.push(`  - apiGroups: ${flow(rule.apiGroups)}`, `    resources: ${flow(rule.resources)}`);
    if (rule.resourceNames) lines.push(`    resourceNames: ${flow(rule.resourceNames)}`);
    lines.push(`    verbs: ${flow(rule.verbs)}`);
  }
  return lines.join('\n');
}

const slug = (s: Subject) => `${s.kind === 'ServiceAccount' ? `sa-${s.namespace}-` : s.kind === 'Group' ? 'group-' : 'user-'}${s.name}`.toLowerCase().replace(/[^a-z0-9.-]+/g, '-');

function bindingText(o: RbacObject, subject: Subject): string {
  const kind = o.kind === 'Role' ? 'RoleBinding' : 'ClusterRoleBinding';
  const name = `${o.name}-${slug(subject)}`.slice(0, 253).replace(/[-.]+$/, '');
  const lines = [`# ${kind}: ${o.name} for ${subject.kind} ${subject.namespace ? `${subject.namespace}/` : ''}${subject.name}`, 'apiVersion: rbac.authorization.k8s.io/v1', `kind: ${kind}`, ...metadata(name, o.namespace)];
  lines.push('roleRef:', '  apiGroup: rbac.authorization.k8s.io', `  kind: ${o.kind}`, `  name: ${scalar(o.name)}`, 'subjects:', `  - kind: ${subject.kind}`, `    name: ${scalar(subject.name)}`);
  if (subject.kind === 'ServiceAccount') lines.push(`    namespace: ${scalar(subject.namespace ?? 'default')}`);
  else lines.push('    apiGroup: rbac.authorization.k8s.io');
  return lines.join('\n');
}

export function rbacYaml(r: RbacRequest): string {
  const objects = rbacObjects(r);
  const header = [
    `# Generated by: ${r.command}`,
    `# What kubectl pgo ${r.verbs.join(', ')} may ask the API server for, and nothing more.`,
    r.optional
      ? '# Rules marked "optional" can be left out (--optional=false): the verb still runs and says what it could not read.'
      : '# Only what the verbs cannot run without (--optional=false): they say what they could not read.',
    ...(r.subjects.length ? [] : ['# No binding: add --serviceaccount NS:NAME, --user NAME or --group NAME to bind the roles.']),
  ];
  const docs = [...objects.map(roleText), ...objects.flatMap((o) => r.subjects.map((s) => bindingText(o, s)))];
  return `${header.join('\n')}\n${docs.map((d) => `---\n${d}\n`).join('')}`;
}
