// RFC 7386 JSON merge patch, as the API server applies it. Used to show the object a plan will
// produce (client dry run) and to check plans in tests; the server stays the authority.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function applyMergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const out: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}
