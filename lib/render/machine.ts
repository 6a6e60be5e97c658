// -o json / -o yaml: the StatusReport itself, nothing added or removed.
import { dump } from 'js-yaml';
import type { StatusReport } from '../report/schema.ts';

export function renderJSON(report: StatusReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function renderYAML(report: StatusReport): string {
  // lineWidth -1: never fold long strings, so remedies stay pasteable.
  return dump(report, { noRefs: true, lineWidth: -1 });
}
