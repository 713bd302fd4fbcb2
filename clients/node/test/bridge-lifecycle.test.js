'use strict';
// The bridge process's life against the fake bridge (a real child process): start failures and the
// version check, a child dying mid-call, and close()'s escalation. Whether Node itself stays alive
// is in process-lifetime.test.js.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { Bridge, BridgeClosedError, BridgeNotFoundError, BridgeVersionError, BridgeError } = require('..');
const { FAKE_BRIDGE } = require('../test-support/helpers');

function fakeBridge(t, headers = {}) {
  const bridge = new Bridge({ binary: FAKE_BRIDGE, headers });
  t.after(() => bridge.close());
  return bridge;
}

/** True while a process with this pid exists (close() waits for the exit, so no polling is needed). */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code !== 'ESRCH';
  }
}

test('a bridge answering another protocol version is refused with an error naming both versions', async (t) => {
  const bridge = fakeBridge(t, { 'x-fake-init': 'version:2.0' });
  await assert.rejects(bridge.ping(), (error) => {
    assert.ok(error instanceof BridgeVersionError);
    assert.equal(error.clientVersion, '1.0');
    assert.equal(error.bridgeVersion, '2.0');
    assert.match(error.message, /"2\.0".*1\.0/);
    return true;
  });
  assert.equal(bridge.pid, undefined, 'the refused process is not kept');
});

test('a bridge refusing our protocol version at initialize gives a BridgeVersionError listing what it supports', async (t) => {
  const bridge = fakeBridge(t, { 'x-fake-init': 'reject' });
  await assert.rejects(bridge.start(), (error) => {
    assert.ok(error instanceof BridgeVersionError);
    assert.deepEqual(error.supported, ['0.9']);
    assert.match(error.message, /0\.9/);
    return true;
  });
});

test('a missing binary rejects every call with BridgeNotFoundError, and each later call looks again', async (t) => {
  const missing = path.join(__dirname, 'no-such-bridge');
  const bridge = new Bridge({ binary: missing });
  t.after(() => bridge.close());
  for (let i = 0; i < 2; i++) {
    await assert.rejects(bridge.auth.exists('a@example.com'), (error) => {
      assert.ok(error instanceof BridgeNotFoundError);
      assert.deepEqual(error.searched, [missing]);
      return true;
    });
  }
});

test('a binary that exits before answering initialize rejects with BridgeClosedError naming the exit code', async (t) => {
  const bridge = fakeBridge(t, { 'x-fake-init': 'exit:64' });
  await assert.rejects(bridge.ping(), (error) => {
    assert.ok(error instanceof BridgeClosedError);
    assert.equal(error.exitCode, 64);
    assert.match(error.message, /exit code 64/);
    return true;
  });
});

test('the child dying mid-call rejects every pending call with BridgeClosedError, and later calls too', async (t) => {
  const bridge = fakeBridge(t);
  await bridge.start();
  const pending = [1, 2, 3].map(() => bridge.auth.getSession({ 'x-fake': 'hang' }));
  const dying = bridge.auth.getSession({ 'x-fake': 'die' });
  const results = await Promise.allSettled([...pending, dying]);
  for (const result of results) {
    assert.equal(result.status, 'rejected');
    assert.ok(result.reason instanceof BridgeClosedError);
    assert.equal(result.reason.exitCode, 3);
    assert.match(result.reason.message, /^auth\.getSession: medusa-auth-bridge exited unexpectedly \(exit code 3\)$/);
  }
  // Its sessions died with it, so no new process is started behind the caller's back.
  await assert.rejects(bridge.ping(), BridgeClosedError);
});

test('close() lets a call in flight finish, then later calls reject with BridgeClosedError', async (t) => {
  const bridge = fakeBridge(t);
  const call = bridge.auth.exists('a@example.com', { 'x-fake': 'late:100' });
  await bridge.start();
  const pid = bridge.pid;
  await bridge.close();
  assert.deepEqual(await call, { exists: true });
  assert.equal(alive(pid), false);
  await assert.rejects(bridge.ping(), (error) => error instanceof BridgeClosedError && /closed/.test(error.message));
});

test('close() before any call starts nothing and resolves, and is idempotent', async () => {
  const bridge = new Bridge({ binary: FAKE_BRIDGE });
  const first = bridge.close();
  assert.equal(bridge.close(), first);
  await first;
  assert.equal(bridge.pid, undefined);
  await assert.rejects(bridge.auth.getSession(), BridgeClosedError);
});

test('close() sends SIGTERM to a bridge that ignores the end of its stdin', async (t) => {
  const bridge = fakeBridge(t, { 'x-fake-eof': 'ignore' });
  await bridge.start();
  const pid = bridge.pid;
  const pending = bridge.auth.getSession({ 'x-fake': 'hang' });
  await bridge.close();
  assert.equal(alive(pid), false);
  await assert.rejects(pending, (error) => error instanceof BridgeClosedError && error.signal === 'SIGTERM');
});

test('close() sends SIGKILL to a bridge that ignores both the end of stdin and SIGTERM', async (t) => {
  const bridge = fakeBridge(t, { 'x-fake-eof': 'ignore', 'x-fake-sigterm': 'ignore' });
  await bridge.start();
  const pid = bridge.pid;
  const pending = bridge.auth.getSession({ 'x-fake': 'hang' });
  await bridge.close();
  assert.equal(alive(pid), false);
  await assert.rejects(pending, (error) => error instanceof BridgeClosedError && error.signal === 'SIGKILL');
});

test('close() during the start rejects the starting call with BridgeClosedError', async (t) => {
  const bridge = fakeBridge(t, { 'x-fake-init': 'silent' });
  const call = bridge.ping(); // spawns the process before it returns; the handshake never ends
  assert.equal(typeof bridge.pid, 'number');
  await bridge.close();
  await assert.rejects(call, BridgeClosedError);
});

test('Symbol.asyncDispose closes the bridge, so `await using` ends it with the block', async (t) => {
  assert.equal(typeof Symbol.asyncDispose, 'symbol', 'this Node has Symbol.asyncDispose');
  const bridge = fakeBridge(t);
  await bridge.ping();
  const pid = bridge.pid;
  await bridge[Symbol.asyncDispose]();
  assert.equal(alive(pid), false);
  await assert.rejects(bridge.ping(), BridgeClosedError);
});

test('a binary that never answers initialize fails the start after the handshake bound, naming the binary', async (t) => {
  const { HANDSHAKE_TIMEOUT_MS } = require('../lib/bridge');
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const bridge = fakeBridge(t, { 'x-fake-init': 'silent' });
  const call = bridge.ping(); // spawns and sends initialize, arming the handshake bound, before it returns
  t.mock.timers.tick(HANDSHAKE_TIMEOUT_MS);
  t.mock.timers.reset();
  await assert.rejects(call, (error) => {
    assert.ok(error instanceof BridgeError);
    assert.match(error.message, /did not answer initialize within 10000 ms/);
    assert.ok(error.message.includes(FAKE_BRIDGE));
    return true;
  });
});
