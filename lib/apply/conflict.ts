import { ApiError } from '../kube/errors.ts';

/** 409 Conflict: the object changed since it was read (its resourceVersion moved on). */
export function isConflict(e: unknown): boolean {
  if (e instanceof ApiError) return e.status === 409 || e.reason === 'Conflict';
  const o = e as { status?: unknown; reason?: unknown; code?: unknown } | null;
  return !!o && (o.status === 409 || o.code === 409 || o.reason === 'Conflict');
}

export function isNotFound(e: unknown): boolean {
  const o = e as { status?: unknown; reason?: unknown } | null;
  return !!o && (o.status === 404 || o.reason === 'NotFound');
}
