'use strict';
/**
 * Whether an ELF executable can run here: its architecture, its loader and the glibc it needs.
 *
 * The kernel's and the loader's own failures say too little: spawning a binary for another
 * architecture gets ENOEXEC, which glibc's execvp answers by running the file with /bin/sh (a
 * shell syntax error), and a missing loader, as on musl-based Linux, gives ENOENT for a file that
 * exists. So the client reads the ELF header (the System V ABI's generic ELF format: `e_ident`,
 * `e_machine`, the `PT_INTERP` program header) before spawning and says what is wrong.
 * clients/python/src/medusa_auth_bridge/_elf.py is the same code, with the same wording
 * (clients/PARITY.md).
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** e_machine -> the architecture's name as `uname -m` spells it (the names both clients use). */
const MACHINES = new Map([
  [3, 'x86'], [8, 'mips'], [20, 'ppc'], [21, 'ppc64'], [22, 's390x'], [40, 'arm'], [62, 'x86_64'],
  [183, 'aarch64'], [243, 'riscv64'], [258, 'loongarch64'],
]);
/** Architectures a machine runs besides its own (the kernel's 32-bit compatibility modes). */
const ALSO_RUNS = { x86_64: ['x86'], aarch64: ['arm'], ppc64: ['ppc'] };
const PT_INTERP = 3;
/** The oldest glibc a packaged binary runs on, in a file beside it (written by scripts/package). */
const GLIBC_FILE = 'GLIBC';

/** `uname -m` (`x86_64`, `arm64`, `i686`, `armv7l`) in the names of MACHINES. */
function machineName(unameMachine) {
  const name = unameMachine.toLowerCase();
  if (name === 'amd64' || name === 'x64') return 'x86_64';
  if (name === 'arm64') return 'aarch64';
  if (/^(i[3-6]86|ia32)$/.test(name)) return 'x86';
  if (name.startsWith('armv') || name === 'arm') return 'arm';
  return name;
}

/** This machine's `uname -m` (os.machine() is Node 18.9+; process.arch before that). */
function unameMachine() {
  return typeof os.machine === 'function' ? os.machine() : process.arch;
}

/** {arch, loader} of an ELF file (loader null when it has none); null when it is not one. */
function readHeader(file) {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(64);
    const got = fs.readSync(fd, head, 0, 64, 0);
    if (got < 52 || head.readUInt32BE(0) !== 0x7f454c46) return null;
    const is64 = head[4] === 2;
    const le = head[5] === 1;
    const u16 = (buf, at) => (le ? buf.readUInt16LE(at) : buf.readUInt16BE(at));
    const u32 = (buf, at) => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
    const u64 = (buf, at) => Number(le ? buf.readBigUInt64LE(at) : buf.readBigUInt64BE(at));
    const machine = u16(head, 18);
    let arch = MACHINES.get(machine) ?? `machine ${machine}`;
    if (machine === 21 && le) arch = 'ppc64le';
    const phoff = is64 ? u64(head, 32) : u32(head, 28);
    const phentsize = u16(head, is64 ? 54 : 42);
    const phnum = u16(head, is64 ? 56 : 44);
    const table = Buffer.alloc(phentsize * phnum);
    const read = fs.readSync(fd, table, 0, table.length, phoff);
    for (let i = 0; i < phnum && (i + 1) * phentsize <= read; i++) {
      const at = i * phentsize;
      if (u32(table, at) !== PT_INTERP) continue;
      const offset = is64 ? u64(table, at + 8) : u32(table, at + 4);
      const size = is64 ? u64(table, at + 32) : u32(table, at + 16);
      const interp = Buffer.alloc(size);
      fs.readSync(fd, interp, 0, size, offset);
      return { arch, loader: interp.toString('utf8').split('\0')[0] };
    }
    return { arch, loader: null };
  } catch {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The newest `GLIBC_2.N` the file names, as `2.N`, or null. Reads the whole file: errors only. */
function glibcNeeded(file) {
  let text;
  try {
    text = fs.readFileSync(file).toString('latin1');
  } catch {
    return null;
  }
  let newest = -1;
  for (const match of text.matchAll(/GLIBC_2\.(\d+)(?:\.\d+)?\0/g)) newest = Math.max(newest, Number(match[1]));
  return newest >= 0 ? `2.${newest}` : null;
}

let glibcRuntime;
/**
 * This process's glibc version (`2.39`), or null when the C library is not glibc. Node gives it
 * only in a diagnostic report, which takes a few milliseconds to build: read once per process.
 */
function runningGlibc() {
  if (glibcRuntime === undefined) {
    const version = process.report?.getReport?.()?.header?.glibcVersionRuntime;
    glibcRuntime = typeof version === 'string' && version ? version : null;
  }
  return glibcRuntime;
}

function versionTuple(version) {
  return (version.match(/\d+/g) ?? []).map(Number);
}

function olderThan(a, b) {
  const [x, y] = [versionTuple(a), versionTuple(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
  }
  return false;
}

/** The glibc version recorded beside the binary (GLIBC_FILE), or null. */
function recordedGlibc(binary) {
  try {
    return fs.readFileSync(path.join(path.dirname(binary), GLIBC_FILE), 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/**
 * The reason `binary` cannot run on this machine (a clause following its path), or null when
 * nothing is known wrong. `glibcMin`, `machine` (`uname -m`) and `glibc` (the running one) default
 * to the recorded file and this machine; tests pass their own.
 */
function whyItCannotRun(binary, { glibcMin = recordedGlibc(binary), machine = unameMachine(), glibc } = {}) {
  const header = readHeader(binary);
  if (!header) return null;
  const here = machineName(machine);
  if (header.arch !== here && !(ALSO_RUNS[here] ?? []).includes(header.arch)) {
    return `is built for ${header.arch}, and this machine is ${here}: it is not a medusa-auth-bridge for this platform`;
  }
  if (header.loader !== null && !fs.existsSync(header.loader)) {
    const needs = glibcMin ?? glibcNeeded(binary);
    return (
      `cannot start: its loader ${header.loader} is missing; this binary needs glibc${needs ? ` ${needs} or newer` : ''} ` +
      '(musl-based Linux, such as Alpine, is not supported)'
    );
  }
  if (glibcMin) {
    const have = glibc === undefined ? runningGlibc() : glibc;
    if (have !== null && olderThan(have, glibcMin)) {
      return `needs glibc ${glibcMin} or newer, and this system has glibc ${have}`;
    }
  }
  return null;
}

module.exports = { whyItCannotRun, readHeader, machineName, GLIBC_FILE };
