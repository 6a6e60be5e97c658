// -o json / -o yaml: the StatusReport (or FleetReport) itself, nothing added or removed.
import { dump } from 'js-yaml';
import type { FleetReport } from '../fleet/report.ts';
import type { StatusReport } from '../report/schema.ts';

export function renderJSON(report: StatusReport | FleetReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function renderYAML(report: StatusReport | FleetReport): string {
  // lineWidth -1: never fold long strings, so remedies stay pasteable.
  return dump(report, { noRefs: true, lineWidth: -1 });
}
