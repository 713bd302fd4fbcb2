'use strict';
// The bridge process's life against the fake bridge (a real child process): start failures, the
// version check, executables that are not a bridge, a child dying mid-call, close()'s cancellation
// and escalation, stderr, the environment and the process group. Whether Node itself stays alive
// is in process-lifetime.test.js; the same against the real binary in e2e-lifecycle.test.js.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Writable } = require('node:stream');
const { Bridge, BridgeClosedError, BridgeNotFoundError, BridgeStartError, BridgeVersionError, CancelledError, ErrorCode } = require('..');
const { FAKE_BRIDGE } = require('../test-support/helpers');

/** Short close() steps for fakes that ignore stdin EOF or SIGTERM: the escalation, not the wait, is under test. */
const QUICK_CLOSE = { exitTimeout: 300, terminateTimeout: 300, killTimeout: 2000 };

function fakeBridge(t, headers = {}, options = {}) {
  const bridge = new Bridge({ binary: FAKE_BRIDGE, headers, ...options });
  t.after(() => bridge.close());
  return bridge;
}

/** A Writable that keeps what is written, as text. */
function collector() {
  const chunks = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  stream.text = () => Buffer.concat(chunks).toString('utf8');
  return stream;
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

/** The first executable named `name` on PATH, or null. */
function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, name);
    if (dir && fs.existsSync(file)) return file;
  }
  return null;
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
      assert.deepEqual(error.searched, [`the binary option: ${missing} does not exist`]);
      return true;
    });
  }
});

test("a bridge that refuses its options and exits 64 fails the call with its stderr line, not just a status", async (t) => {
  const stderr = collector();
  const bridge = fakeBridge(t, { 'x-fake-init': 'usage' }, { stderr });
  await assert.rejects(bridge.auth.getSession(), (error) => {
    assert.ok(error instanceof BridgeStartError && error instanceof BridgeClosedError);
    assert.equal(error.message, `${FAKE_BRIDGE} exited with status 64 without answering initialize: --base-url must be an http or https URL without query, not 'nowhere'`);
    assert.equal(error.exitCode, 64);
    assert.equal(error.binary, FAKE_BRIDGE);
    assert.match(error.stderr, /--base-url must be/);
    return true;
  });
  assert.match(stderr.text(), /--base-url must be/, 'the line still reaches the chosen stderr');
});

test('an executable that exits without answering initialize is named as not a bridge, with its status', async (t) => {
  const exitsAtOnce = onPath('true');
  const bridge = new Bridge({ binary: exitsAtOnce ?? FAKE_BRIDGE, ...(exitsAtOnce ? {} : { headers: { 'x-fake-init': 'exit:0' } }) });
  t.after(() => bridge.close());
  await assert.rejects(bridge.ping(), (error) => {
    assert.ok(error instanceof BridgeStartError);
    assert.equal(error.message, `${exitsAtOnce ?? FAKE_BRIDGE} is not medusa-auth-bridge: it exited with status 0 without answering initialize`);
    assert.equal(error.exitCode, 0);
    return true;
  });
});

test('an executable that never answers initialize is named as not a bridge after the handshake timeout, and is stopped', async (t) => {
  const bridge = fakeBridge(t, { 'x-fake-init': 'silent' }, { handshakeTimeout: 200 });
  const call = bridge.ping();
  const pid = bridge.pid;
  await assert.rejects(call, (error) => {
    assert.ok(error instanceof BridgeStartError);
    assert.equal(error.message, `${FAKE_BRIDGE} is not medusa-auth-bridge: it did not answer initialize within 200 ms`);
    return true;
  });
  assert.equal(alive(pid), false);
});

test('a program that echoes its input is not taken for a bridge: a request is not an answer', { skip: !onPath('cat') && 'no cat' }, async (t) => {
  const echo = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mab-echo-')), 'echo-bridge');
  fs.writeFileSync(echo, '#!/bin/sh\nexec cat\n', { mode: 0o755 });
  t.after(() => fs.rmSync(path.dirname(echo), { recursive: true, force: true }));
  const bridge = new Bridge({ binary: echo, handshakeTimeout: 300 });
  t.after(() => bridge.close());
  const warnings = [];
  const onWarning = (warning) => warnings.push(warning.message);
  process.on('warning', onWarning);
  t.after(() => process.off('warning', onWarning));
  await assert.rejects(bridge.start(), (error) => error instanceof BridgeStartError && /did not answer initialize within 300 ms/.test(error.message));
  // The echoed request is not taken for an answer: it is ignored, and said so.
  assert.ok(warnings.length > 0, 'no warning about the echoed request');
  assert.deepEqual(new Set(warnings), new Set(['ignored a message from the bridge that is not a response to a request']));
});

test('an executable that cannot be run at all (its interpreter is missing) is a BridgeStartError saying so', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mab-unrunnable-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const unrunnable = path.join(dir, 'medusa-auth-bridge');
  fs.writeFileSync(unrunnable, '#!/no/such/interpreter\n', { mode: 0o755 });
  const bridge = new Bridge({ binary: unrunnable });
  t.after(() => bridge.close());
  await assert.rejects(bridge.ping(), (error) => {
    assert.ok(error instanceof BridgeStartError);
    assert.match(error.message, new RegExp(`^${unrunnable.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} could not be run: spawn .*ENOENT`));
    return true;
  });
});

test('an answer to initialize without serverInfo is named as not a bridge', async (t) => {
  const bridge = fakeBridge(t, { 'x-fake-init': 'noinfo' });
  await assert.rejects(bridge.start(), (error) => error instanceof BridgeStartError && /is not medusa-auth-bridge: its answer to initialize has no serverInfo/.test(error.message));
});

test('the child dying mid-call rejects every pending call with BridgeClosedError naming the call, and later calls too', async (t) => {
  const bridge = fakeBridge(t);
  await bridge.start();
  const pending = [1, 2, 3].map(() => bridge.session('alice').auth.getSession({ 'x-fake': 'hang' }));
  const dying = bridge.auth.getSession({ 'x-fake': 'die' });
  const results = await Promise.allSettled([...pending, dying]);
  for (const [index, result] of results.entries()) {
    assert.equal(result.status, 'rejected');
    assert.ok(result.reason instanceof BridgeClosedError);
    assert.equal(result.reason.exitCode, 3);
    const session = index < 3 ? 'alice' : 'default';
    assert.equal(result.reason.message, `auth.getSession in session '${session}': medusa-auth-bridge exited unexpectedly (exit status 3)`);
    assert.deepEqual([result.reason.method, result.reason.session], ['auth.getSession', session]);
  }
  assert.deepEqual([bridge.exitCode, bridge.signal], [3, null]);
  // Its sessions died with it, so no new process is started behind the caller's back.
  await assert.rejects(bridge.session('alice').auth.exists('a@example.com'), (error) => {
    assert.ok(error instanceof BridgeClosedError);
    assert.equal(error.message, "auth.exists in session 'alice': medusa-auth-bridge exited unexpectedly (exit status 3)");
    return true;
  });
});

test('close() cancels each pending call with $/cancelRequest, and they reject with CancelledError', async (t) => {
  const stderr = collector();
  const bridge = fakeBridge(t, { 'x-fake-log': 'stderr' }, { stderr });
  await bridge.start();
  const pending = Promise.allSettled([bridge.auth.getSession({ 'x-fake': 'hang' }), bridge.session('bob').auth.exists('b@example.com', { 'x-fake': 'hang' })]);
  await bridge.ping(); // both are on the wire
  await bridge.close();
  const [first, second] = await pending;
  for (const result of [first, second]) {
    assert.ok(result.reason instanceof CancelledError, String(result.reason));
    assert.equal(result.reason.code, ErrorCode.REQUEST_CANCELLED);
  }
  assert.equal(first.reason.message, "auth.getSession in session 'default': cancelled because the bridge was closed");
  assert.equal(second.reason.message, "auth.exists in session 'bob': cancelled because the bridge was closed");
  const cancelled = stderr.text().split('\n').filter((line) => line.startsWith('fake-bridge received $/cancelRequest'));
  assert.equal(cancelled.length, 2, stderr.text());
  assert.deepEqual([bridge.exitCode, bridge.signal], [0, null], 'the bridge exited by itself after its stdin closed');
  await assert.rejects(bridge.ping(), (error) => error instanceof BridgeClosedError && error.message === 'ping: the bridge was closed');
});

test('a call answered before close() keeps its answer', async (t) => {
  const bridge = fakeBridge(t);
  const call = bridge.auth.exists('a@example.com', { 'x-fake': 'late:50' });
  await bridge.start();
  const pid = bridge.pid;
  const answered = await call;
  await bridge.close();
  assert.deepEqual(answered, { exists: true });
  assert.equal(alive(pid), false);
});

test('close() before any call starts nothing and resolves, and is idempotent', async () => {
  const bridge = new Bridge({ binary: FAKE_BRIDGE });
  const first = bridge.close();
  assert.equal(bridge.close(), first);
  assert.equal(await first, undefined);
  assert.equal(bridge.pid, undefined);
  await assert.rejects(bridge.auth.getSession(), BridgeClosedError);
});

test('close() sends SIGTERM after exitTimeout to a bridge that ignores the end of its stdin', async (t) => {
  const bridge = fakeBridge(t, { 'x-fake-eof': 'ignore' }, QUICK_CLOSE);
  await bridge.start();
  const pid = bridge.pid;
  const pending = assert.rejects(bridge.auth.getSession({ 'x-fake': 'hang' }), CancelledError);
  await bridge.ping();
  await bridge.close();
  assert.equal(alive(pid), false);
  assert.equal(bridge.signal, 'SIGTERM');
  await pending;
});

test('close() sends SIGKILL after terminateTimeout to a bridge that ignores both the end of stdin and SIGTERM', async (t) => {
  const bridge = fakeBridge(t, { 'x-fake-eof': 'ignore', 'x-fake-sigterm': 'ignore' }, QUICK_CLOSE);
  await bridge.start();
  const pid = bridge.pid;
  await bridge.close();
  assert.equal(alive(pid), false);
  assert.equal(bridge.signal, 'SIGKILL');
});

test('close() during the start cancels the call waiting for it (CancelledError, as any pending call) and stops the process', async (t) => {
  const bridge = fakeBridge(t, { 'x-fake-init': 'silent' });
  // ping() spawns the process before it returns; the handshake never ends
  const call = assert.rejects(bridge.ping(), (error) => error instanceof CancelledError && error.code === ErrorCode.REQUEST_CANCELLED && error.message === 'ping: cancelled because the bridge was closed while it was starting');
  const pid = bridge.pid;
  assert.equal(typeof pid, 'number');
  await bridge.close();
  await call;
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'close() returned with the process running');
});

test('close() in the same tick as a first call cancels it (CancelledError), even when the handshake succeeds before the cancel lands', async (t) => {
  // The fake answers initialize at once, so the handshake completes after close() began.
  const bridge = fakeBridge(t);
  const call = bridge.session('alice').auth.exists('a@example.com');
  const start = bridge.start();
  const closed = bridge.close();
  await assert.rejects(call, (error) => {
    assert.ok(error instanceof CancelledError, String(error));
    assert.equal(error.code, ErrorCode.REQUEST_CANCELLED);
    assert.equal(error.message, "auth.exists in session 'alice': cancelled because the bridge was closed while it was starting");
    assert.deepEqual([error.method, error.session], ['auth.exists', 'alice']);
    return true;
  });
  await assert.rejects(start, (error) => error instanceof CancelledError && error.message === 'initialize: cancelled because the bridge was closed while it was starting');
  await closed;
  assert.equal(bridge.pid, undefined, 'close() returned with the process running');
  await assert.rejects(bridge.ping(), BridgeClosedError);
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

test("stderr 'ignore' discards the bridge's lines, yet a start error still carries them", async (t) => {
  const bridge = fakeBridge(t, { 'x-fake-init': 'usage' }, { stderr: 'ignore' });
  await assert.rejects(bridge.start(), (error) => error instanceof BridgeStartError && /--base-url must be/.test(error.stderr));
});

test('the bridge gets an allow-listed environment with MEDUSA_ variables, the publishable key, and the env extras last', async (t) => {
  const saved = { ...process.env };
  t.after(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });
  Object.assign(process.env, { SOME_SECRET: 'never', MEDUSA_BACKEND_URL: 'http://127.0.0.1:1', LANG: 'C.UTF-8' });
  const bridge = fakeBridge(t, {}, { publishableApiKey: 'pk_1', env: { EXTRA: 'yes', MEDUSA_BACKEND_URL: 'http://127.0.0.1:2' } });
  const { env } = await bridge.auth.exists('a@example.com', { 'x-fake': 'env' });
  assert.equal(env.SOME_SECRET, undefined);
  assert.equal(env.LANG, 'C.UTF-8');
  assert.equal(env.MEDUSA_PUBLISHABLE_API_KEY, 'pk_1');
  assert.equal(env.EXTRA, 'yes');
  assert.equal(env.MEDUSA_BACKEND_URL, 'http://127.0.0.1:2', 'env wins over the inherited value');
});

test('the bridge runs in its own process group, so a terminal Ctrl-C reaches only Node', { skip: process.platform === 'win32' && 'POSIX process groups' }, async (t) => {
  const { runCtrlC } = require('../test-support/helpers');
  const run = await runCtrlC(FAKE_BRIDGE);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout.trim().split('\n').at(-1)), { pingedAfterCtrlC: true, bridgeGroupDiffers: true });
});
