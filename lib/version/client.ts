// What this client is: its version and commit (stamped by the build), and the runtime carrying it.
export interface ClientInfo {
  version: string;
  commit: string;
  runtime: { node: string; singleExecutable: boolean; platform: string };
}

export async function clientInfo(): Promise<ClientInfo> {
  return {
    version: typeof __KPGO_VERSION__ === 'string' ? __KPGO_VERSION__ : 'v0.0.0-dev',
    commit: typeof __KPGO_COMMIT__ === 'string' ? __KPGO_COMMIT__ : 'unknown',
    runtime: { node: process.version, singleExecutable: await isSingleExecutable(), platform: `${process.platform}/${goArch(process.arch)}` },
  };
}

async function isSingleExecutable(): Promise<boolean> {
  // getBuiltinModule, not import(): a dynamic import would start the ESM loader just for this.
  // Runtimes without node:sea (or without getBuiltinModule) cannot be a single executable anyway.
  try {
    const sea = process.getBuiltinModule?.('node:sea') as { isSea?: () => boolean } | undefined;
    return Boolean(sea?.isSea?.());
  } catch {
    return false;
  }
}

/** Platform names as kubectl and Krew spell them. */
export function goArch(arch: string): string {
  return arch === 'x64' ? 'amd64' : arch === 'ia32' ? '386' : arch;
}
