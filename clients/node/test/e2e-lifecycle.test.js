'use strict';
// End to end: cancellation, a dying bridge, close() and Node's own lifetime, with the real
// medusa-auth-bridge binary and the Medusa emulator's delay fault. Skipped without a binary,
// failing instead under CI=true (see test-support/e2e.js).

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { BridgeClosedError, BridgeStartError, BridgeTimeoutError, BridgeVersionError, CancelledError, UnauthorizedError } = require('..');
const { Connection } = require('../lib/connection');
const { handshakeError } = require('../lib/bridge');
const { DEFAULT_TIMEOUTS } = require('../lib/options');
const { useRealBridge, SLOW_MS } = require('../test-support/e2e');
const { runScript, runCtrlC } = require('../test-support/helpers');

const e2e = useRealBridge();
const { skip } = e2e;
const oli = { email: 'oli@test.dk', password: 'test' };
const SCRIPT = path.join(__dirname, '..', 'test-support', 'scripts', 'one-call.js');

/**
 * How long a session may stay blocked after its state-changing call was cancelled. A real
 * cancellation frees it within milliseconds; five seconds allows for a loaded CI box and is far
 * below SLOW_MS, the time an uncancelled call would hold the session.
 */
const CANCELLED_WITHIN_MS = 5_000;

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code !== 'ESRCH';
  }
}

test('aborting a slow authenticate rejects with AbortError and cancels it in the bridge, freeing its session', { skip }, async (t) => {
  const bridge = e2e.bridge(t);
  await e2e.fault({ method: 'POST', path: '/store/auth', delay_ms: SLOW_MS, times: 1 });
  const controller = new AbortController();
  const slow = bridge.session('s').auth.authenticate(oli, undefined, { signal: controller.signal });
  await bridge.ping(); // the bridge has read the authenticate by now
  controller.abort();
  await assert.rejects(slow, (error) => error.name === 'AbortError' && error.code === 'ABORT_ERR');
  // authenticate changes session state, so the session's next call waits for it to end: this one
  // is answered in time only if the bridge really abandoned the slow login.
  await assert.rejects(bridge.session('s').auth.getSession(undefined, { timeout: CANCELLED_WITHIN_MS }), UnauthorizedError);
});

test('a slow getToken past its timeout rejects with TimeoutError and is cancelled in the bridge', { skip }, async (t) => {
  const bridge = e2e.bridge(t);
  await bridge.start();
  await e2e.fault({ method: 'POST', path: '/store/auth/token', delay_ms: SLOW_MS, times: 1 });
  await assert.rejects(bridge.session('s').auth.getToken(oli, undefined, { timeout: 300 }), (error) => {
    assert.ok(error instanceof BridgeTimeoutError);
    assert.equal(error.name, 'TimeoutError');
    return true;
  });
  await assert.rejects(bridge.session('s').auth.getSession(undefined, { timeout: CANCELLED_WITHIN_MS }), UnauthorizedError);
});

test('the bridge dying mid-call rejects every pending call with BridgeClosedError, and later calls too', { skip }, async (t) => {
  const bridge = e2e.bridge(t);
  await e2e.fault({ method: 'GET', delay_ms: SLOW_MS, times: 2 });
  await bridge.start();
  const calls = [bridge.auth.exists('alice@example.com'), bridge.session('other').auth.getSession()];
  await bridge.ping();
  process.kill(bridge.pid, 'SIGKILL');
  for (const result of await Promise.allSettled(calls)) {
    assert.equal(result.status, 'rejected');
    assert.ok(result.reason instanceof BridgeClosedError);
    assert.equal(result.reason.signal, 'SIGKILL');
  }
  await assert.rejects(bridge.ping(), BridgeClosedError);
});

test("the real bridge's refusal of another protocol version becomes a BridgeVersionError listing 1.0", { skip }, async (t) => {
  const connection = new Connection(e2e.binary, ['--base-url', e2e.emulator.url], { env: process.env });
  t.after(() => connection.close(DEFAULT_TIMEOUTS));
  const refusal = await connection.request('initialize', { protocolVersion: '9.9' }).then(
    () => assert.fail('initialize with protocol 9.9 was accepted'),
    (error) => error,
  );
  assert.deepEqual(refusal.data, { supported: ['1.0'], requested: '9.9' });
  const error = handshakeError(refusal);
  assert.ok(error instanceof BridgeVersionError);
  assert.deepEqual(error.supported, ['1.0']);
});

test('close() ends the bridge process before it resolves, and later calls reject', { skip }, async (t) => {
  const bridge = e2e.bridge(t);
  await bridge.auth.exists('alice@example.com');
  const pid = bridge.pid;
  await bridge.close();
  assert.equal(alive(pid), false);
  await assert.rejects(bridge.auth.exists('alice@example.com'), BridgeClosedError);
});

test('Symbol.asyncDispose ends the bridge process', { skip }, async (t) => {
  const bridge = e2e.bridge(t);
  await bridge.ping();
  const pid = bridge.pid;
  await bridge[Symbol.asyncDispose]();
  assert.equal(alive(pid), false);
});

test('a Node process whose call has been answered exits by itself, and its bridge with it', { skip }, async () => {
  const config = { binary: e2e.binary, baseUrl: e2e.emulator.url, email: 'alice@example.com' };
  const run = await runScript(SCRIPT, [JSON.stringify(config)]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout).answered, { exists: true });
});

test('a Node process stays alive while a call is pending, until Medusa answers late', { skip }, async () => {
  await e2e.fault({ method: 'GET', delay_ms: 1000, times: 1 });
  const config = { binary: e2e.binary, baseUrl: e2e.emulator.url, email: 'alice@example.com' };
  const run = await runScript(SCRIPT, [JSON.stringify(config)]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout).answered, { exists: true }, 'the script waited for the answer');
  const [request] = await e2e.requests();
  assert.equal(request.method, 'GET', 'the delayed request was the one answered');
});

test('close() with slow calls in flight cancels them (CancelledError) and the bridge exits by itself, without SIGTERM or SIGKILL', { skip }, async (t) => {
  const bridge = e2e.bridge(t);
  await bridge.start();
  await e2e.fault({ method: 'GET', delay_ms: SLOW_MS, times: 2 });
  const calls = Promise.allSettled([bridge.auth.exists('alice@example.com'), bridge.session('other').auth.getSession()]);
  await bridge.ping(); // both calls are in the bridge, waiting on the slow backend
  await bridge.close();
  for (const result of await calls) {
    assert.ok(result.reason instanceof CancelledError, String(result.reason));
    assert.match(result.reason.message, /cancelled because the bridge was closed$/);
  }
  assert.deepEqual([bridge.exitCode, bridge.signal], [0, null], 'exited on its own after stdin closed');
});

test('a first call with close() in the same tick is cancelled (CancelledError), though the real bridge answers initialize before the cancel', { skip }, async (t) => {
  const bridge = e2e.bridge(t);
  const call = assert.rejects(bridge.auth.exists('oli@test.dk'), (error) => {
    assert.ok(error instanceof CancelledError, String(error));
    assert.equal(error.message, "auth.exists in session 'default': cancelled because the bridge was closed while it was starting");
    return true;
  });
  await bridge.close();
  await call;
  assert.equal(bridge.pid, undefined, 'close() returned with the bridge running');
});

test("a bridge refusing its environment exits 64, and the start error carries the bridge's own stderr line", { skip }, async (t) => {
  const bridge = e2e.bridge(t, { env: { MEDUSA_MAX_RETRIES: '200' }, stderr: 'ignore' });
  await assert.rejects(bridge.auth.getSession(), (error) => {
    assert.ok(error instanceof BridgeStartError);
    assert.equal(error.exitCode, 64);
    assert.match(error.message, / exited with status 64 without answering initialize: .*MEDUSA_MAX_RETRIES must be a whole number from 0 to 100, not '200'/);
    return true;
  });
});

test('Ctrl-C in a terminal reaches only Node: the real bridge keeps serving, in its own process group', { skip: skip || (process.platform === 'win32' && 'POSIX process groups') }, async () => {
  const run = await runCtrlC(e2e.binary);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout.trim().split('\n').at(-1)), { pingedAfterCtrlC: true, bridgeGroupDiffers: true });
  assert.doesNotMatch(run.stderr, /SIGINT|draining|signal/i, 'the bridge saw no signal');
});
