// The RBAC tables of the verbs' help and of the README, made from lib/rbac/requirements.ts (the
// YAML of `kubectl pgo rbac` comes from the same data, so the two cannot disagree).
import { PGO_GROUP, permissionsOf, qualified, RBAC, rbacOf, WHEN_TEXT, type RbacScope, type Requirement } from './requirements.ts';

// yargs re-wraps epilogue lines longer than the terminal; 96 columns fit the usual 100.
const WIDTH = 96;
const COLUMN = 44;

const WHERE: Record<RbacScope, string> = {
  namespace: 'In the namespace looked at (-A: in every namespace):',
  cluster: 'Across the cluster:',
  operator: "In the operator's namespace (kubectl pgo rbac --operator-namespace):",
};

/** postgresclusters and customresourcedefinitions are spelled without their (long) groups; the
 *  note under the table names the first, the second is unmistakable. */
const shown = (group: string, resource: string) => (group === PGO_GROUP || group === 'apiextensions.k8s.io' ? resource : qualified(group, resource));

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

function needText(r: Requirement): string {
  const when = `${r.when ? ` ${WHEN_TEXT[r.when]}` : ''}${r.resourceNames ? `, only ${r.resourceNames.join(', ')}` : ''}`;
  return r.optional ? `optional${when}: without it ${r.without}` : `required${when}`;
}

interface Row {
  scope: RbacScope;
  what: string;
  need: string;
}

/** Requirements saying the same thing (scope, verbs, need) become one row listing their resources. */
function rowsOf(reqs: Requirement[]): Row[] {
  const rows: Row[] = [];
  for (const r of reqs) {
    const need = needText(r);
    const names = r.resources.map((res) => shown(r.group, res));
    const verbs = r.verbs.join(', ');
    const same = rows.find((x) => x.scope === r.scope && x.need === need && x.what.startsWith(`${verbs} `));
    if (same) same.what += `, ${names.join(', ')}`;
    else rows.push({ scope: r.scope, what: `${verbs} ${names.join(', ')}`, need });
  }
  return rows;
}

const tables = new Map<string, string>();

/** The "RBAC requirements" block of `kubectl pgo VERB --help`. Kept once made: every run of a verb
 *  builds its help (yargs calls the builder), and the single executable's start-up snapshot holds
 *  them all already. */
export function helpTable(verb: string): string {
  let t = tables.get(verb);
  if (t === undefined) tables.set(verb, (t = makeHelpTable(verb)));
  return t;
}

function makeHelpTable(verb: string): string {
  const v = rbacOf(verb);
  const lines = [`RBAC requirements (as YAML to apply: kubectl pgo rbac --verbs ${verb} [-n NS | -A]):`];
  const rows = rowsOf(v.requirements);
  for (const scope of ['namespace', 'cluster', 'operator'] as RbacScope[]) {
    const mine = rows.filter((r) => r.scope === scope);
    if (!mine.length) continue;
    lines.push(`  ${WHERE[scope]}`);
    for (const row of mine) {
      const need = wrap(row.need, WIDTH - COLUMN);
      const what = wrap(row.what, COLUMN - 6);
      // The need starts on the resource's last line.
      lines.push(...what.slice(0, -1).map((l) => `    ${l}`), `    ${what.at(-1)!.padEnd(COLUMN - 4)}${need[0]}`, ...need.slice(1).map((l) => `${' '.repeat(COLUMN)}${l}`));
    }
  }
  const groups = v.requirements.some((r) => r.group === PGO_GROUP) ? `postgresclusters: API group ${PGO_GROUP}. ` : '';
  const required = v.requirements.some((r) => !r.optional)
    ? `Without a required permission ${verb} stops (exit ${v.failsWith}) naming it` +
      (v.requirements.some((r) => r.verbs.some((x) => ['patch', 'update', 'create'].includes(x))) ? ', and writes nothing' : '') +
      '; without an optional one it says what it could not read and does the rest.'
    : `Every permission is optional: without one, ${verb} does without what it gives.`;
  const tail = `${groups}${required} Impersonation is never needed.${v.footnote ? ` ${v.footnote}` : ''}`;
  lines.push(...wrap(tail, WIDTH - 2).map((l) => `  ${l}`));
  return lines.join('\n');
}

/** The README's table: one row per permission, one column per verb. */
export function markdownTable(): string {
  const verbs = RBAC.map((v) => v.verb);
  const rows = new Map<string, { label: string; cells: Map<string, string> }>();
  const where: Record<RbacScope, string> = { namespace: 'namespace', cluster: 'cluster-wide', operator: "operator's namespace" };
  for (const v of RBAC) {
    for (const p of permissionsOf(v.requirements)) {
      const label = `\`${p.verb} ${qualified(p.group, p.resource)}${p.resourceNames ? `/${p.resourceNames.join(',')}` : ''}\` | ${where[p.scope]}`;
      const row = rows.get(label) ?? { label, cells: new Map() };
      const when = p.req.when ? ` (${WHEN_TEXT[p.req.when]})` : '';
      const prev = row.cells.get(v.verb);
      const cell = `${p.req.optional ? 'optional' : '**required**'}${when}`;
      row.cells.set(v.verb, prev ? `${prev}; ${cell}` : cell);
      rows.set(label, row);
    }
  }
  const head = [`| Permission | Where | ${verbs.join(' | ')} |`, `|---|---|${verbs.map(() => '---').join('|')}|`];
  const body = [...rows.values()].map((r) => `| ${r.label} | ${verbs.map((v) => r.cells.get(v) ?? '').join(' | ')} |`);
  return [...head, ...body].join('\n');
}
