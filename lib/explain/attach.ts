// --explain: the pipeline of every cluster in the report, from the same findings (lib/explain).
import type { Finding, Snapshot } from '../model/types.ts';
import type { StatusReport } from '../report/schema.ts';
import { explainCluster } from './explain.ts';

export function attachExplain(report: StatusReport, findings: Finding[], snap: Snapshot): void {
  const down = findings.find((f) => f.cluster === null && (f.code === 'OperatorMissing' || f.code === 'OperatorNotReady'));
  const version = report.operator.version ?? report.operator.crdVersion ?? null;
  // PGO's log, when read, is in the snapshot (lib/collect/operator-log.ts).
  const logRead = (snap as { operatorLog?: unknown }).operatorLog !== undefined;
  for (const c of report.clusters) {
    const mine = findings.filter((f) => f.cluster?.namespace === c.namespace && f.cluster.name === c.name);
    c.explain = explainCluster(c.name, mine, { version, operatorDown: down ? `${down.code}: ${down.message}` : null, logRead });
  }
}
