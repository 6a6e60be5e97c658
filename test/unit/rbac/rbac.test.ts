// kubectl pgo rbac: the YAML parsed back grants exactly the permissions lib/rbac/requirements.ts
// lists (no more, no fewer), in the right objects; the help tables and the README table are the
// same data; the verb is registered and does not clash with Crunchy's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { loadAll } from 'js-yaml';
import { rbacYaml, type RbacRequest } from '../../../lib/rbac/manifest.ts';
import { helpTable, markdownTable } from '../../../lib/rbac/help-table.ts';
import { permissionsOf, RBAC, RBAC_VERBS, rbacOf, type RbacScope } from '../../../lib/rbac/requirements.ts';
import { parseRbacArgs } from '../../../lib/rbac/verb.ts';
import { verbs } from '../../../cmd/verbs.ts';
import { CRUNCHY_VERBS } from '../../../lib/passthrough/decide.ts';
import { repoRoot } from '../../helpers/kubectl.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;
const flags = { allNamespaces: false, color: 'never' as const };
const req = (over: Partial<RbacRequest>): RbacRequest => ({ verbs: ['status'], namespace: 'db', operatorNamespace: 'pgo', optional: true, name: 'r', subjects: [], command: 'test', ...over });
const docs = (r: RbacRequest): Obj[] => (loadAll(rbacYaml(r)) as Obj[]).filter(Boolean);

/** Every permission the objects grant, as "scope verb group/resource[names]". */
function granted(objects: Obj[], r: RbacRequest): string[] {
  const out: string[] = [];
  for (const o of objects.filter((x) => x.kind === 'Role' || x.kind === 'ClusterRole')) {
    const scope = o.kind === 'ClusterRole' ? (r.namespace === undefined ? 'wide' : 'cluster') : o.metadata.namespace === r.namespace ? 'namespace' : o.metadata.namespace === r.operatorNamespace ? 'operator' : 'elsewhere';
    for (const rule of o.rules ?? []) {
      for (const g of rule.apiGroups) for (const res of rule.resources) for (const v of rule.verbs) out.push(`${scope} ${v} ${g}/${res}${rule.resourceNames ? `[${rule.resourceNames.join(',')}]` : ''}`);
    }
  }
  return [...new Set(out)].sort();
}

/** The same, straight from the data. */
function expected(r: RbacRequest): string[] {
  const wide = (s: RbacScope) => (r.namespace === undefined && s !== 'operator' ? 'wide' : s);
  const out = r.verbs.flatMap((v) =>
    permissionsOf(rbacOf(v).requirements)
      .filter((p) => r.optional || !p.req.optional)
      .map((p) => `${wide(p.scope)} ${p.verb} ${p.group}/${p.resource}${p.resourceNames ? `[${p.resourceNames.join(',')}]` : ''}`),
  );
  return [...new Set(out)].sort();
}

const combos: string[][] = [...RBAC_VERBS.map((v) => [v]), ['status', 'diff'], ['heal', 'switchover'], [...RBAC_VERBS]];

for (const verbsAsked of combos) {
  for (const namespace of ['db', undefined]) {
    for (const optional of [true, false]) {
      test(`--verbs ${verbsAsked.join(',')} ${namespace ? '-n db' : '-A'}${optional ? '' : ' --optional=false'}: the rules parsed back are the data`, () => {
        const r = req({ verbs: verbsAsked, namespace, optional });
        const objects = docs(r);
        assert.equal(granted(objects, r), expected(r));
        for (const o of objects) {
          assert.is(o.apiVersion, 'rbac.authorization.k8s.io/v1');
          if (o.kind === 'Role') assert.ok(o.metadata.namespace, 'a Role has a namespace');
          if (o.kind === 'ClusterRole') assert.is(o.metadata.namespace, undefined);
        }
      });
    }
  }
}

test('a required permission stays when another verb needs it only optionally; --optional=false drops only optional ones', () => {
  const text = rbacYaml(req({ verbs: ['status', 'switchover'], optional: false }));
  const r = req({ verbs: ['status', 'switchover'], optional: false });
  const perms = granted(docs(r), r);
  assert.ok(perms.includes('namespace list /pods'), 'switchover requires list pods');
  assert.not.ok(perms.some((p) => p.includes('pods/log')), 'pods/log is optional for every verb');
  assert.not.match(text, /^ {2}# .*, optional/m);
});

test('bindings: one per role and subject, pointing at it, in its namespace', () => {
  const r = req({ verbs: ['heal'], subjects: [{ kind: 'ServiceAccount', namespace: 'ops', name: 'oncall' }, { kind: 'User', name: 'alice@example.com' }, { kind: 'Group', name: 'sre' }] });
  const objects = docs(r);
  const roles = objects.filter((o) => o.kind.endsWith('Role'));
  const bindings = objects.filter((o) => o.kind.endsWith('Binding'));
  assert.is(roles.length, 3);
  assert.is(bindings.length, 9);
  for (const b of bindings) {
    const role = roles.find((x) => x.metadata.name === b.roleRef.name && x.kind === b.roleRef.kind);
    assert.ok(role, `${b.metadata.name} points at an existing role`);
    assert.is(b.kind, role.kind === 'Role' ? 'RoleBinding' : 'ClusterRoleBinding');
    assert.is(b.metadata.namespace, role.metadata.namespace);
    assert.is(b.subjects.length, 1);
  }
  const sa = bindings.flatMap((b) => b.subjects).find((s: Obj) => s.kind === 'ServiceAccount');
  assert.equal(sa, { kind: 'ServiceAccount', name: 'oncall', namespace: 'ops' });
  assert.ok(bindings.flatMap((b) => b.subjects).some((s: Obj) => s.kind === 'User' && s.name === 'alice@example.com' && s.apiGroup === 'rbac.authorization.k8s.io'));
});

test('every help table names every permission of its verb, fits 96 columns, and says required/optional', () => {
  for (const v of RBAC) {
    const table = helpTable(v.verb);
    for (const line of table.split('\n')) assert.ok(line.length <= 96, `${v.verb}: ${line.length} columns: ${line}`);
    const flat = table.replace(/\s+/g, ' ');
    for (const r of v.requirements) {
      for (const res of r.resources) assert.ok(table.includes(res), `${v.verb} help lacks ${res}`);
      assert.ok(table.includes(`${r.verbs.join(', ')} `), `${v.verb} help lacks the verbs ${r.verbs.join(', ')}`);
      assert.ok(flat.includes(r.optional ? r.without : 'required'), `${v.verb}: ${r.without}`);
    }
  }
});

test('the README table is the generated one', () => {
  const readme = readFileSync(`${repoRoot}/README.md`, 'utf8');
  const m = /<!-- rbac-table:begin[^>]*-->\n([\s\S]*?)\n<!-- rbac-table:end -->/.exec(readme);
  assert.ok(m, 'README has the rbac-table markers');
  assert.fixture(m![1], markdownTable());
});

test('rbac is a verb of ours, listed for completion, and not one of Crunchy\'s', () => {
  assert.ok(verbs.some((v) => v.command.split(' ')[0] === 'rbac'));
  assert.not.ok((CRUNCHY_VERBS as readonly string[]).includes('rbac'));
  for (const v of RBAC_VERBS) assert.ok(verbs.some((x) => x.command.split(' ')[0] === v), `${v} is a verb`);
});

test('arguments: verbs, subjects, names; the header repeats a command that prints the same', async () => {
  const r = await parseRbacArgs({ verbs: 'heal,status', serviceaccount: ['ops:oncall', 'ci/deployer'], group: 'sre' }, { ...flags, namespace: 'db' });
  assert.equal(r.verbs, ['status', 'heal']);
  assert.is(r.name, 'kubectl-pgo-status-heal');
  assert.equal(r.subjects.map((s) => `${s.kind} ${s.namespace ?? ''}/${s.name}`), ['ServiceAccount ops/oncall', 'ServiceAccount ci/deployer', 'Group /sre']);
  assert.is(r.command, 'kubectl pgo rbac --verbs status,heal -n db --serviceaccount ops:oncall --serviceaccount ci:deployer --group "sre"');
  const all = await parseRbacArgs({}, { ...flags, allNamespaces: true });
  assert.equal(all.verbs, RBAC_VERBS);
  assert.is(all.namespace, undefined);
  assert.is(all.name, 'kubectl-pgo');
  for (const [argv, msg] of [
    [{ verbs: 'status,backup' }, /"backup" is not a verb/],
    [{ serviceaccount: 'oncall' }, /NAMESPACE:NAME/],
    [{ name: 'Bad_Name' }, /not a valid role name/],
    [{ operatorNamespace: 'a b' }, /not a valid namespace/],
  ] as Array<[Obj, RegExp]>) {
    try {
      await parseRbacArgs(argv, { ...flags, namespace: 'db' });
      assert.unreachable(JSON.stringify(argv));
    } catch (e) {
      assert.match((e as Error).message, msg);
      assert.is((e as { code?: number }).code, 1);
    }
  }
});

test('switchover refuses on exactly the lists the data calls required', () => {
  const required = rbacOf('switchover').requirements.filter((r) => !r.optional && r.verbs.includes('list')).flatMap((r) => r.resources).sort();
  assert.equal(required, ['endpoints', 'pods', 'statefulsets']);
});

test.run();
