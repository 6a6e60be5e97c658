// YAML the way sigs.k8s.io/yaml (go-yaml v2) writes it, for the patroni.yaml PGO stores in
// ConfigMaps: keys sorted, two-space indentation, sequences not indented under their key, and
// strings that YAML 1.1 would read as something else double-quoted.

type Value = string | number | boolean | null | Value[] | { [k: string]: Value };

const YAML11_SPECIAL = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|)$/;
const NUMBER_LIKE = /^[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$|^0x[0-9a-fA-F]+$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$/;

function scalar(v: string | number | boolean | null): string {
  if (v === null) return 'null';
  if (typeof v !== 'string') return String(v);
  const needsQuote =
    YAML11_SPECIAL.test(v) ||
    NUMBER_LIKE.test(v) ||
    /^[\s\-?:,[\]{}#&*!|>'"%@`]/.test(v) ||
    /[:#]\s|\s$|:$|[\n\t]/.test(v) ||
    v.includes(': ') ||
    v.includes(' #');
  if (!needsQuote) return v;
  return JSON.stringify(v);
}

function isEmptyCollection(v: Value): string | undefined {
  if (Array.isArray(v) && v.length === 0) return '[]';
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) return '{}';
  return undefined;
}

function emit(v: Value, indent: string, out: string[]): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      const empty = isEmptyCollection(item);
      if (empty) out.push(`${indent}- ${empty}`);
      else if (item !== null && typeof item === 'object') {
        const sub: string[] = [];
        emit(item, indent + '  ', sub);
        out.push(`${indent}- ${sub[0].slice(indent.length + 2)}`, ...sub.slice(1));
      } else out.push(`${indent}- ${scalar(item)}`);
    }
    return;
  }
  if (v !== null && typeof v === 'object') {
    for (const key of Object.keys(v).sort()) {
      const child = v[key];
      const empty = isEmptyCollection(child);
      if (empty) out.push(`${indent}${scalar(key)}: ${empty}`);
      else if (Array.isArray(child)) {
        out.push(`${indent}${scalar(key)}:`);
        emit(child, indent, out);
      } else if (child !== null && typeof child === 'object') {
        out.push(`${indent}${scalar(key)}:`);
        emit(child, indent + '  ', out);
      } else out.push(`${indent}${scalar(key)}: ${scalar(child)}`);
    }
    return;
  }
  out.push(indent + scalar(v));
}

export function toGoYAML(v: Value): string {
  const empty = isEmptyCollection(v);
  if (empty) return empty + '\n';
  const out: string[] = [];
  emit(v, '', out);
  return out.join('\n') + '\n';
}

export type { Value as GoYAMLValue };
