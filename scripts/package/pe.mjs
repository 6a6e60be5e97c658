// Drops the Authenticode signature of a PE file (what `signtool remove /s` does), so the node.exe
// that takes the SEA blob ends up unsigned rather than carrying a signature that no longer matches.
const SECURITY_DIR = 4;

function dataDirectoryOffset(buf) {
  const pe = buf.readUInt32LE(0x3c);
  if (buf.toString('latin1', 0, 2) !== 'MZ' || buf.readUInt32LE(pe) !== 0x00004550) throw new Error('not a PE file');
  const opt = pe + 4 + 20;
  const magic = buf.readUInt16LE(opt);
  if (magic === 0x20b) return { opt, dirs: opt + 112 };
  if (magic === 0x10b) return { opt, dirs: opt + 96 };
  throw new Error(`unknown PE optional header magic 0x${magic.toString(16)}`);
}

export function hasAuthenticode(buf) {
  const { dirs } = dataDirectoryOffset(buf);
  return buf.readUInt32LE(dirs + SECURITY_DIR * 8 + 4) !== 0;
}

/** Returns a copy without the certificate table (or the same buffer when there is none). */
export function removeAuthenticode(buf) {
  const { opt, dirs } = dataDirectoryOffset(buf);
  const entry = dirs + SECURITY_DIR * 8;
  const offset = buf.readUInt32LE(entry);
  const size = buf.readUInt32LE(entry + 4);
  if (size === 0) return buf;
  // The certificate table is the last thing in the file (it is not mapped; its "address" is a file offset).
  const end = offset + size;
  if (end !== buf.length && buf.subarray(end).some((b) => b !== 0)) throw new Error('the certificate table is not at the end of the file');
  const out = Buffer.from(buf.subarray(0, offset));
  out.writeUInt32LE(0, entry);
  out.writeUInt32LE(0, entry + 4);
  out.writeUInt32LE(0, opt + 64); // CheckSum: optional for executables; the old one is wrong now
  return out;
}
