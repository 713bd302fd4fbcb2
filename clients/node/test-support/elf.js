'use strict';
// Writes minimal ELF executables (a 64-bit little-endian header and, when asked, a PT_INTERP
// program header naming a loader) for the tests of lib/elf.js: enough for the checks that read
// them, never meant to run.

const fs = require('node:fs');
const os = require('node:os');

/** e_machine of this machine's architecture, and one that is surely not it. */
const HOST_MACHINE = { x64: 62, arm64: 183 }[process.arch] ?? 62;
const FOREIGN_MACHINE = 22; // s390x

function writeElf(file, { machine = HOST_MACHINE, loader = null } = {}) {
  const header = Buffer.alloc(64);
  header.write('\x7fELF', 0, 'latin1');
  header[4] = 2; // ELFCLASS64
  header[5] = 1; // little-endian
  header[6] = 1;
  header.writeUInt16LE(2, 16); // ET_EXEC
  header.writeUInt16LE(machine, 18);
  header.writeUInt32LE(1, 20);
  header.writeBigUInt64LE(64n, 32); // e_phoff
  header.writeUInt16LE(64, 52);
  header.writeUInt16LE(56, 54);
  header.writeUInt16LE(loader ? 1 : 0, 56);
  const parts = [header];
  if (loader) {
    const interp = Buffer.from(`${loader}\0`);
    const phdr = Buffer.alloc(56);
    phdr.writeUInt32LE(3, 0); // PT_INTERP
    phdr.writeBigUInt64LE(120n, 8);
    phdr.writeBigUInt64LE(BigInt(interp.length), 32);
    phdr.writeBigUInt64LE(BigInt(interp.length), 40);
    parts.push(phdr, interp);
  }
  fs.writeFileSync(file, Buffer.concat(parts), { mode: 0o755 });
  return file;
}

/** `uname -m` of this machine in the clients' names. */
function hostMachineName() {
  return require('../lib/elf').machineName(typeof os.machine === 'function' ? os.machine() : process.arch);
}

module.exports = { writeElf, HOST_MACHINE, FOREIGN_MACHINE, hostMachineName };
