// Every check, and every code with its severity: the stable list renderers and docs can show.
import type { Severity } from '../model/types.ts';
import type { Check } from './context.ts';
import { componentsCheck } from './components.ts';
import { gapsCheck } from './gaps.ts';
import { instancesCheck } from './instances.ts';
import { lagCheck } from './lag.ts';
import { operatorCheck } from './operator.ts';
import { podsCheck } from './pods.ts';
import { primaryCheck } from './primary.ts';
import { reconcileCheck } from './reconcile.ts';
import { reconcileFailingCheck } from './reconcile-failing.ts';
import { switchoverCheck } from './switchover.ts';
import { unreadableCheck } from './unreadable.ts';
import { pgoEventsCheck } from './pgo-events.ts';
import { conditionsCheck } from './conditions.ts';
import { generationCheck } from './generation.ts';

export const CHECKS: Check[] = [operatorCheck, reconcileCheck, switchoverCheck, reconcileFailingCheck, instancesCheck, primaryCheck, podsCheck, lagCheck, componentsCheck, gapsCheck, unreadableCheck, pgoEventsCheck, conditionsCheck, generationCheck];

/** code -> severity and whether the finding always blocks PGO. Exceptions, by design:
 *  ContainerCrashLooping is an error for an instance's database container, a warning otherwise;
 *  InstanceMissing, RepoHostMissing and PgBouncerUnavailable are blocking (with blockedBy) when a
 *  blocking finding keeps PGO from creating what is missing. */
export const CATALOGUE: Record<string, { severity: Severity; blocking: boolean }> = {
  OperatorMissing: { severity: 'error', blocking: true },
  OperatorNotReady: { severity: 'error', blocking: true },
  OperatorVersionSkew: { severity: 'warning', blocking: false },
  InvalidStandbyConfiguration: { severity: 'error', blocking: true },
  ReconcilePaused: { severity: 'error', blocking: true },
  ClusterShutdown: { severity: 'info', blocking: false },
  SwitchoverBlocked: { severity: 'error', blocking: true },
  ReconcileFailing: { severity: 'error', blocking: true },
  SwitchoverPending: { severity: 'warning', blocking: false },
  SwitchoverLeftEnabled: { severity: 'warning', blocking: false },
  SwitchoverNotEffective: { severity: 'warning', blocking: false },
  SwitchoverTriggerLeft: { severity: 'info', blocking: false },
  InstanceMissing: { severity: 'error', blocking: false },
  InstanceOrphaned: { severity: 'warning', blocking: false },
  NoPrimary: { severity: 'error', blocking: false },
  MultiplePrimaries: { severity: 'error', blocking: false },
  LeaderMismatch: { severity: 'warning', blocking: false },
  ContainerCrashLooping: { severity: 'error', blocking: false },
  PodPending: { severity: 'warning', blocking: false },
  PodNotReady: { severity: 'warning', blocking: false },
  ReplicationLag: { severity: 'warning', blocking: false },
  RepoHostMissing: { severity: 'error', blocking: false },
  PgBouncerUnavailable: { severity: 'error', blocking: false },
  BackupFailing: { severity: 'warning', blocking: false },
  PermissionDenied: { severity: 'info', blocking: false },
  DataUnavailable: { severity: 'info', blocking: false },
  // error for a PostgresCluster whose spec/status/apiVersion is not understood, warning for other objects
  UnreadableObject: { severity: 'error', blocking: false },
  // PGO's own words: its Warning Events (info when older than the latest spec change), its conditions
  // (info while converging), and status.observedGeneration.
  PgoReconcileStopped: { severity: 'error', blocking: true },
  PgoWarningEvent: { severity: 'warning', blocking: false },
  ConditionNotTrue: { severity: 'warning', blocking: false },
  SpecNotObserved: { severity: 'error', blocking: false },
};
