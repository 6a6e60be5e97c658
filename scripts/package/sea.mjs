// One single executable application: a SEA preparation blob (made by a node of the target's exact
// version) injected with postject into a copy of the target's node binary.
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'postject';
import { removeCodeSignature } from './macho.mjs';
import { removeAuthenticode } from './pe.mjs';

const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/**
 * Writes the blob for `main` to `out`. A start-up snapshot (the bundle run once at build time,
 * its heap saved: cmd/snapshot.ts) or else a code cache; both only work on the builder's own
 * platform.
 */
export function buildBlob({ builderNode, main, out, codeCache, snapshot = false }) {
  const config = `${out}.json`;
  writeFileSync(
    config,
    JSON.stringify({ main, output: out, disableExperimentalSEAWarning: true, useCodeCache: codeCache && !snapshot, useSnapshot: snapshot }),
  );
  try {
    execFileSync(builderNode, ['--experimental-sea-config', config], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`building the SEA blob failed: ${String(e.stderr ?? e.message).trim()}`);
  }
}

/** Copies the runtime to `out` (stripped of symbols / signature as the format needs) and injects the blob. */
export async function makeExecutable({ runtime, format, arch, blob, out, strip }) {
  let bin = readFileSync(runtime);
  if (format === 'macho') bin = removeCodeSignature(bin);
  if (format === 'pe') bin = removeAuthenticode(bin);
  writeFileSync(out, bin);
  chmodSync(out, 0o755);
  if (format === 'elf' && strip) strip(out, arch);
  await inject(out, 'NODE_SEA_BLOB', readFileSync(blob), {
    sentinelFuse: FUSE,
    machoSegmentName: format === 'macho' ? 'NODE_SEA' : undefined,
    overwrite: true,
  });
  chmodSync(out, 0o755);
}

/** A symbol stripper for ELF files of `arch`, or undefined when the machine has none (stripping only saves size). */
export function findStripper() {
  const has = (cmd) => {
    try {
      execFileSync(cmd, ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (has('llvm-strip')) return (file) => execFileSync('llvm-strip', ['--strip-all', file]);
  if (has('strip') && process.arch === 'x64') {
    return (file, arch) => {
      if (arch === 'amd64') execFileSync('strip', ['--strip-all', file]);
    };
  }
  return undefined;
}

export const describeBlob = (blob) => `${path.basename(blob)} ${(readFileSync(blob).length / 1e6).toFixed(2)} MB`;
