// Signature removal before the SEA blob goes in: on small Mach-O and PE files built here with the
// same layout as node's (a signature as the last thing in the file).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
// @ts-expect-error: build script without types
import { hasCodeSignature, loadCommands, removeCodeSignature, segmentNames } from '../../../scripts/package/macho.mjs';
// @ts-expect-error: build script without types
import { hasAuthenticode, removeAuthenticode } from '../../../scripts/package/pe.mjs';

const LC_SEGMENT_64 = 0x19;
const LC_CODE_SIGNATURE = 0x1d;
const LC_UUID = 0x1b;

/** header | __TEXT | __LINKEDIT | LC_CODE_SIGNATURE | LC_UUID | (pad to 0x200) | linkedit data | signature */
function machO(): { buf: Buffer; linkeditData: number; sigSize: number } {
  const seg = (name: string, fileoff: number, filesize: number) => {
    const b = Buffer.alloc(72);
    b.writeUInt32LE(LC_SEGMENT_64, 0);
    b.writeUInt32LE(72, 4);
    b.write(name, 8, 'latin1');
    b.writeBigUInt64LE(0x1000n, 32); // vmsize
    b.writeBigUInt64LE(BigInt(fileoff), 40);
    b.writeBigUInt64LE(BigInt(filesize), 48);
    return b;
  };
  const linkeditOff = 0x200;
  const linkeditData = 64;
  const sigSize = 48;
  const sig = Buffer.alloc(16);
  sig.writeUInt32LE(LC_CODE_SIGNATURE, 0);
  sig.writeUInt32LE(16, 4);
  sig.writeUInt32LE(linkeditOff + linkeditData, 8);
  sig.writeUInt32LE(sigSize, 12);
  const uuid = Buffer.alloc(24);
  uuid.writeUInt32LE(LC_UUID, 0);
  uuid.writeUInt32LE(24, 4);
  uuid.fill(0xab, 8);
  const cmds = Buffer.concat([seg('__TEXT', 0, linkeditOff), seg('__LINKEDIT', linkeditOff, linkeditData + sigSize), sig, uuid]);
  const header = Buffer.alloc(32);
  header.writeUInt32LE(0xfeedfacf, 0);
  header.writeUInt32LE(0x01000007, 4);
  header.writeUInt32LE(2, 12);
  header.writeUInt32LE(4, 16);
  header.writeUInt32LE(cmds.length, 20);
  const pad = Buffer.alloc(linkeditOff - header.length - cmds.length);
  return { buf: Buffer.concat([header, cmds, pad, Buffer.alloc(linkeditData, 7), Buffer.alloc(sigSize, 0xfa)]), linkeditData, sigSize };
}

test('Mach-O: the signature command and data go, __LINKEDIT shrinks, later commands move up', () => {
  const { buf, linkeditData, sigSize } = machO();
  assert.ok(hasCodeSignature(buf));
  const out: Buffer = removeCodeSignature(buf);
  assert.not.ok(hasCodeSignature(out));
  assert.is(out.length, buf.length - sigSize);
  assert.is(out.readUInt32LE(16), 3, 'ncmds');
  assert.is(out.readUInt32LE(20), 72 + 72 + 24, 'sizeofcmds');
  assert.equal(segmentNames(out), ['__TEXT', '__LINKEDIT']);
  const cmds = loadCommands(out) as { cmd: number; offset: number }[];
  assert.is(cmds[2].cmd, LC_UUID);
  assert.is(out[cmds[2].offset + 8], 0xab, 'the UUID command moved intact');
  const linkedit = cmds[1].offset;
  assert.is(out.readBigUInt64LE(linkedit + 48), BigInt(linkeditData), '__LINKEDIT filesize');
  assert.ok(out.subarray(32 + 72 + 72 + 24, 32 + 72 + 72 + 24 + 16).every((b) => b === 0), 'the freed command space is zeroed');
  assert.is(removeCodeSignature(out), out, 'nothing to do the second time');
});

test('Mach-O: refuses what it does not understand', () => {
  assert.throws(() => removeCodeSignature(Buffer.from('\x7fELF............................', 'latin1')), /not a thin 64-bit/);
});

function pe(): Buffer {
  const lfanew = 0x40;
  const opt = lfanew + 4 + 20;
  const dirs = opt + 112;
  const certOff = 0x200;
  const buf = Buffer.alloc(certOff + 0x40);
  buf.write('MZ', 0, 'latin1');
  buf.writeUInt32LE(lfanew, 0x3c);
  buf.writeUInt32LE(0x00004550, lfanew);
  buf.writeUInt16LE(0x20b, opt);
  buf.writeUInt32LE(0xdeadbeef, opt + 64);
  buf.writeUInt32LE(certOff, dirs + 4 * 8);
  buf.writeUInt32LE(0x40, dirs + 4 * 8 + 4);
  buf.fill(0x30, certOff);
  return buf;
}

test('PE: the certificate table goes, its directory entry and the checksum are cleared', () => {
  const buf = pe();
  assert.ok(hasAuthenticode(buf));
  const out: Buffer = removeAuthenticode(buf);
  assert.not.ok(hasAuthenticode(out));
  assert.is(out.length, 0x200);
  assert.is(out.readUInt32LE(0x40 + 24 + 64), 0, 'CheckSum');
  assert.is(removeAuthenticode(out), out);
  assert.throws(() => removeAuthenticode(Buffer.alloc(0x100)), /not a PE file/);
});

test.run();
