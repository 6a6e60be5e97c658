// A plan as a person reads it before saying yes: which object, why, the exact patch, and the
// kubectl command that would make the same change by hand.
import type { Change } from './types.ts';

export function patchJson(change: Change): string {
  return JSON.stringify(change.patch);
}

/** The same write by hand (conditional too: it carries the resourceVersion). */
export function kubectlEquivalent(change: Change): string {
  const t = change.target;
  const json = patchJson(change).replace(/'/g, `'\\''`);
  return `kubectl patch ${t.plural}.${t.apiVersion.split('/')[0]} ${t.name} -n ${t.namespace} --type merge -p '${json}'`;
}

export function renderChange(change: Change, index: number): string[] {
  const t = change.target;
  const lines = [`${index}. ${t.kind} ${t.namespace}/${t.name} (resourceVersion ${change.resourceVersion}): ${change.summary}`];
  for (const r of change.reasons) {
    lines.push(`   finding: ${r.code}: ${r.finding}`);
    lines.push(`   why:     ${r.why}`);
  }
  lines.push(`   patch (merge, applies only if resourceVersion is still ${change.resourceVersion}):`);
  lines.push(`     ${patchJson(change)}`);
  lines.push(`   by hand: ${kubectlEquivalent(change)}`);
  return lines;
}
