// Mach-O surgery the way `codesign --remove-signature` does it, so the signed darwin node binary
// can take the SEA blob (an injected binary with a stale signature is killed by macOS; an unsigned
// x86_64 binary runs, also under Rosetta 2). Thin 64-bit little-endian Mach-O only.
const MH_MAGIC_64 = 0xfeedfacf;
const LC_SEGMENT_64 = 0x19;
const LC_CODE_SIGNATURE = 0x1d;
const HEADER = 32;

/** Lists load commands: [{ cmd, offset, size, segname? }]. */
export function loadCommands(buf) {
  if (buf.readUInt32LE(0) !== MH_MAGIC_64) throw new Error('not a thin 64-bit little-endian Mach-O file');
  const ncmds = buf.readUInt32LE(16);
  const out = [];
  let off = HEADER;
  for (let i = 0; i < ncmds; i++) {
    const cmd = buf.readUInt32LE(off);
    const size = buf.readUInt32LE(off + 4);
    const entry = { cmd, offset: off, size };
    if (cmd === LC_SEGMENT_64) entry.segname = buf.toString('latin1', off + 8, off + 24).replace(/\0.*$/s, '');
    out.push(entry);
    off += size;
  }
  return out;
}

export function hasCodeSignature(buf) {
  return loadCommands(buf).some((c) => c.cmd === LC_CODE_SIGNATURE);
}

export function segmentNames(buf) {
  return loadCommands(buf).filter((c) => c.segname !== undefined).map((c) => c.segname);
}

/** Returns a copy of the binary without its code signature (or the same buffer when it has none). */
export function removeCodeSignature(buf) {
  const cmds = loadCommands(buf);
  const sig = cmds.find((c) => c.cmd === LC_CODE_SIGNATURE);
  if (!sig) return buf;
  const linkedit = cmds.find((c) => c.segname === '__LINKEDIT');
  if (!linkedit) throw new Error('Mach-O file has a code signature but no __LINKEDIT segment');
  const dataoff = buf.readUInt32LE(sig.offset + 8);
  const datasize = buf.readUInt32LE(sig.offset + 12);
  if (dataoff + datasize !== buf.length) throw new Error('the code signature is not at the end of the file');
  const out = Buffer.from(buf.subarray(0, dataoff));
  // __LINKEDIT now ends where the signature began; its vmsize may stay larger (zero-filled).
  const fileoff = out.readBigUInt64LE(linkedit.offset + 40);
  out.writeBigUInt64LE(BigInt(dataoff) - fileoff, linkedit.offset + 48);
  // Drop the load command: close the gap and clear the freed tail of the command area.
  const ncmds = out.readUInt32LE(16);
  const sizeofcmds = out.readUInt32LE(20);
  const end = HEADER + sizeofcmds;
  out.copy(out, sig.offset, sig.offset + sig.size, end);
  out.fill(0, end - sig.size, end);
  out.writeUInt32LE(ncmds - 1, 16);
  out.writeUInt32LE(sizeofcmds - sig.size, 20);
  return out;
}
