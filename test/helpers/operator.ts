// Tests only: the recorded PGO fixtures, a field-path diff for the operator model's conformance
// test, and helpers for the operator end-to-end suite (model by default, or the binary named by
// SANDBOX_OPERATOR).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { repoRoot } from './kubectl.ts';

export const sharedDir = path.resolve(repoRoot, '../shared');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = any;

/** The items of a recorded `kubectl get ... -o yaml` List under ../shared/fixtures/pgo/<version>/recorded/. */
export function recorded(version: 'v5.8.9' | 'v6.0.3', file: string): Obj[] {
  const doc = load(readFileSync(path.join(sharedDir, 'fixtures/pgo', version, 'recorded', file), 'utf8')) as Obj;
  return doc.items ?? [];
}

export function find(items: Obj[], kind: string, name: string): Obj {
  const o = items.find((i) => i.kind === kind && i.metadata?.name === name);
  if (!o) throw new Error(`recorded ${kind}/${name} not found`);
  return o;
}

// ---------------------------------------------------------------------------------------------
// Field-path diff. Lists whose items are objects with a unique "name" (containers, env, volumes,
// ports, volumeMounts...) are matched by name and shown as list[name]; other lists by index.

export interface Difference {
  path: string;
  recorded: unknown;
  model: unknown;
}

function keyed(list: unknown[]): Map<string, unknown> | undefined {
  if (!list.every((x) => x !== null && typeof x === 'object' && typeof (x as Obj).name === 'string')) return undefined;
  const m = new Map<string, unknown>();
  for (const x of list) {
    const k = (x as Obj).name as string;
    if (m.has(k)) return undefined;
    m.set(k, x);
  }
  return m;
}

export function diff(recordedValue: unknown, modelValue: unknown, at = ''): Difference[] {
  const out: Difference[] = [];
  const isObj = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  // A whole missing map or list is reported field by field, so allowances can name leaves.
  if (recordedValue === undefined && (isObj(modelValue) || Array.isArray(modelValue))) recordedValue = Array.isArray(modelValue) ? [] : {};
  if (modelValue === undefined && (isObj(recordedValue) || Array.isArray(recordedValue))) modelValue = Array.isArray(recordedValue) ? [] : {};
  if (Array.isArray(recordedValue) && Array.isArray(modelValue)) {
    const a = keyed(recordedValue);
    const b = keyed(modelValue);
    if (a && b) {
      for (const k of new Set([...a.keys(), ...b.keys()])) out.push(...diff(a.get(k), b.get(k), `${at}[${k}]`));
      return out;
    }
    const n = Math.max(recordedValue.length, modelValue.length);
    for (let i = 0; i < n; i++) out.push(...diff(recordedValue[i], modelValue[i], `${at}[${i}]`));
    return out;
  }
  if (isObj(recordedValue) && isObj(modelValue)) {
    const r = recordedValue as Obj;
    const m = modelValue as Obj;
    for (const k of new Set([...Object.keys(r), ...Object.keys(m)])) out.push(...diff(r[k], m[k], at ? `${at}.${k}` : k));
    return out;
  }
  if (JSON.stringify(recordedValue) !== JSON.stringify(modelValue)) out.push({ path: at, recorded: recordedValue, model: modelValue });
  return out;
}

/** Differences whose path matches none of the patterns (each anchored at both ends). */
export function unexplained(diffs: Difference[], allowed: RegExp[]): Difference[] {
  return diffs.filter((d) => !allowed.some((re) => re.test(d.path)));
}

export function describe(diffs: Difference[]): string {
  return diffs.map((d) => `  ${d.path}: recorded ${JSON.stringify(d.recorded)} model ${JSON.stringify(d.model)}`).join('\n');
}
