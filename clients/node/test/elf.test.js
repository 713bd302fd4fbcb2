'use strict';
// A binary that cannot run here is refused before spawn, saying why (lib/elf.js): another
// architecture, a missing loader (musl-based Linux), or a glibc older than its package recorded.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Bridge, BridgeStartError } = require('..');
const { whyItCannotRun, readHeader } = require('../lib/elf');
const { writeElf, FOREIGN_MACHINE, hostMachineName } = require('../test-support/elf');

function tempDir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mab-elf-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function startError(t, binary) {
  const bridge = new Bridge({ binary });
  t.after(() => bridge.close());
  let caught;
  await assert.rejects(bridge.start(), (error) => {
    caught = error;
    return error instanceof BridgeStartError;
  });
  assert.equal(caught.binary, binary);
  assert.equal(bridge.pid, undefined, 'nothing was spawned');
  return caught.message;
}

test('a binary for another architecture is refused before spawn, naming both architectures', async (t) => {
  const binary = writeElf(path.join(tempDir(t), 'medusa-auth-bridge'), { machine: FOREIGN_MACHINE });
  assert.equal(
    await startError(t, binary),
    `${binary} is built for s390x, and this machine is ${hostMachineName()}: it is not a medusa-auth-bridge for this platform`,
  );
});

test('a binary whose loader is missing says so and names the glibc its package recorded', async (t) => {
  const dir = tempDir(t);
  const loader = path.join(dir, 'no-such-loader', 'ld-musl-x86_64.so.1');
  const binary = writeElf(path.join(dir, 'medusa-auth-bridge'), { loader });
  fs.writeFileSync(path.join(dir, 'GLIBC'), '2.35\n');
  assert.equal(
    await startError(t, binary),
    `${binary} cannot start: its loader ${loader} is missing; this binary needs glibc 2.35 or newer ` +
      '(musl-based Linux, such as Alpine, is not supported)',
  );
});

test('a binary whose loader is missing and that has no recorded glibc names the newest GLIBC_ version it uses', (t) => {
  const dir = tempDir(t);
  const loader = path.join(dir, 'missing-ld.so');
  const binary = writeElf(path.join(dir, 'bridge'), { loader });
  fs.appendFileSync(binary, Buffer.from('GLIBC_2.17\0GLIBC_2.34\0GLIBC_2.9\0GLIBC_2.2.5\0'));
  assert.match(whyItCannotRun(binary), /this binary needs glibc 2\.34 or newer/);
});

test('a packaged binary needing a newer glibc than the running one is refused before spawn', async (t) => {
  const dir = tempDir(t);
  const binary = writeElf(path.join(dir, 'medusa-auth-bridge'));
  fs.writeFileSync(path.join(dir, 'GLIBC'), '2.999\n');
  const running = process.report.getReport().header.glibcVersionRuntime;
  if (!running) return t.skip('this Node does not run on glibc');
  assert.equal(await startError(t, binary), `${binary} needs glibc 2.999 or newer, and this system has glibc ${running}`);
});

test('the glibc comparison is by version numbers, and an unknown C library is left to the loader', (t) => {
  const binary = writeElf(path.join(tempDir(t), 'medusa-auth-bridge'));
  assert.equal(whyItCannotRun(binary, { glibcMin: '2.35', glibc: '2.9' }), 'needs glibc 2.35 or newer, and this system has glibc 2.9');
  assert.equal(whyItCannotRun(binary, { glibcMin: '2.35', glibc: '2.35' }), null);
  assert.equal(whyItCannotRun(binary, { glibcMin: '2.35', glibc: '2.100' }), null);
  assert.equal(whyItCannotRun(binary, { glibcMin: '2.35', glibc: null }), null);
});

test('the architecture is read from the header: the running node is this machine, a script is not ELF', (t) => {
  assert.equal(readHeader(process.execPath).arch, hostMachineName());
  const script = path.join(tempDir(t), 'script');
  fs.writeFileSync(script, '#!/bin/sh\n', { mode: 0o755 });
  assert.equal(readHeader(script), null);
  assert.equal(whyItCannotRun(script), null);
  assert.equal(whyItCannotRun(process.execPath, { glibcMin: null }), null);
});

test('a 32-bit binary of the same family is left to the kernel on a 64-bit machine', (t) => {
  const binary = writeElf(path.join(tempDir(t), 'bridge'), { machine: 3 });
  assert.equal(whyItCannotRun(binary, { machine: 'x86_64', glibcMin: null }), null);
  assert.match(whyItCannotRun(binary, { machine: 'aarch64', glibcMin: null }), /is built for x86, and this machine is aarch64/);
});
