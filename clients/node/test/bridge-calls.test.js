'use strict';
// The public API against the fake bridge (test-support/fake-bridge.js, a real child process that
// speaks the protocol): what goes on the wire, what comes back, errors, concurrency, abort and
// timeout. The real binary is exercised by the e2e-*.test.js files.

const test = require('node:test');
const assert = require('node:assert/strict');
const { Bridge, BridgeAbortError, BridgeTimeoutError, UnauthorizedError, MedusaError, ErrorCode } = require('..');
const errors = require('..');
const { FAKE_BRIDGE, fakeReceived } = require('../test-support/helpers');

/** A bridge over the fake, closed when the test ends. */
function fakeBridge(t, headers = {}) {
  const bridge = new Bridge({ binary: FAKE_BRIDGE, headers });
  t.after(() => bridge.close());
  return bridge;
}

const secret = { email: 'alice@example.com', password: 'secret' };

test('the bridge starts on the first call, and initialize with protocol 1.0 and clientInfo is its first message', async (t) => {
  const bridge = fakeBridge(t);
  assert.equal(bridge.pid, undefined);
  await bridge.ping();
  assert.equal(typeof bridge.pid, 'number');
  const [first, second] = await fakeReceived(bridge);
  assert.equal(first.method, 'initialize');
  assert.deepEqual(first.params, { protocolVersion: '1.0', clientInfo: { name: 'medusa-auth-bridge', version: '0.1.0' } });
  assert.equal(second.method, 'ping');
});

test('every call is served by the same process', async (t) => {
  const bridge = fakeBridge(t);
  await bridge.ping();
  const pid = bridge.pid;
  await bridge.auth.exists('a@example.com');
  await bridge.session('other').auth.exists('b@example.com');
  assert.equal(bridge.pid, pid);
});

test('start() resolves to the initialize result and a call after it reuses that process', async (t) => {
  const bridge = fakeBridge(t);
  const info = await bridge.start();
  assert.deepEqual(info, { protocolVersion: '1.0', serverInfo: { name: 'medusa-auth-bridge', version: '0.0.0-fake' } });
  const pid = bridge.pid;
  await bridge.ping();
  assert.equal(bridge.pid, pid);
});

test('each AuthResource method sends its wire method with by-name params, custom headers and the session', async (t) => {
  const bridge = fakeBridge(t);
  const headers = { 'x-trace': '1' };
  const alice = bridge.session('alice').auth;
  await alice.authenticate({ ...secret, extra: 'dropped' }, headers);
  await alice.getSession(headers);
  await alice.exists('bob@example.com', headers);
  await alice.getToken(secret);
  await alice.deleteSession();
  await bridge.auth.exists('carol@example.com');
  await bridge.session('alice').clear();
  const sent = (await fakeReceived(bridge)).slice(1, -1).map(({ method, params }) => ({ method, params }));
  assert.deepEqual(sent, [
    { method: 'auth.authenticate', params: { ...secret, customHeaders: headers, session: 'alice' } },
    { method: 'auth.getSession', params: { customHeaders: headers, session: 'alice' } },
    { method: 'auth.exists', params: { email: 'bob@example.com', customHeaders: headers, session: 'alice' } },
    { method: 'auth.getToken', params: { ...secret, session: 'alice' } },
    { method: 'auth.deleteSession', params: { session: 'alice' } },
    { method: 'auth.exists', params: { email: 'carol@example.com', session: 'default' } },
    { method: 'session.clear', params: { session: 'alice' } },
  ]);
});

test('each method resolves to the result body unchanged', async (t) => {
  const bridge = fakeBridge(t);
  const { customer } = await bridge.auth.authenticate(secret);
  assert.deepEqual(customer, { id: 'cus_fake', email: secret.email, first_name: null, last_name: null, has_account: true, orders: [], shipping_addresses: [] });
  assert.equal((await bridge.auth.getSession()).customer.id, 'cus_fake');
  assert.deepEqual(await bridge.auth.getToken(secret), { access_token: 'fake.jwt.token' });
  assert.deepEqual(await bridge.auth.exists('nobody@example.com'), { exists: false });
  assert.deepEqual(await bridge.auth.deleteSession(), {});
  assert.equal(await bridge.ping(), undefined);
  assert.equal((await bridge.discover()).openrpc, '1.3.2');
});

test('sessions are listed with their state, and clear() forgets only that session', async (t) => {
  const bridge = fakeBridge(t);
  await bridge.session('alice').auth.authenticate(secret);
  await bridge.session('bob').auth.getToken(secret);
  assert.deepEqual(await bridge.sessions(), [
    { name: 'alice', hasCookie: true, hasToken: false, customerId: 'cus_fake' },
    { name: 'bob', hasCookie: false, hasToken: true, customerId: 'cus_fake' },
  ]);
  await bridge.session('alice').clear();
  await assert.rejects(bridge.session('alice').auth.getSession(), UnauthorizedError);
  assert.equal((await bridge.session('bob').auth.getSession()).customer.id, 'cus_fake');
});

test('a wrong password rejects with UnauthorizedError carrying status 401 and body Unauthorized', async (t) => {
  const bridge = fakeBridge(t);
  await assert.rejects(bridge.auth.authenticate({ email: 'a@example.com', password: 'wrong' }), (error) => {
    assert.ok(error instanceof UnauthorizedError && error instanceof MedusaError);
    assert.equal(error.code, ErrorCode.MEDUSA_HTTP_ERROR);
    assert.equal(error.status, 401);
    assert.equal(error.body, 'Unauthorized');
    assert.equal(error.message, "auth.authenticate in session 'default': Medusa answered 401 Unauthorized");
    assert.deepEqual([error.method, error.session], ['auth.authenticate', 'default']);
    return true;
  });
});

test('each wire error code reaches the caller as its error class', async (t) => {
  const bridge = fakeBridge(t);
  const cases = [
    [-32700, errors.ParseError],
    [-32600, errors.InvalidRequestError],
    [-32601, errors.MethodNotFoundError],
    [-32602, errors.InvalidParamsError],
    [-32603, errors.InternalError],
    [-32001, errors.NotFoundError, { status: 404, body: 'Not Found' }],
    [-32002, errors.BridgeUnreachableError, { reason: 'refused', attempts: 1, detail: 'refused' }],
    [-32003, errors.BadResponseError, { status: 200, body: 'oops' }],
    [-32800, errors.CancelledError],
    [-32099, errors.BridgeError],
  ];
  for (const [code, Class, data] of cases) {
    const customHeaders = { 'x-fake': 'error', 'x-fake-code': String(code), 'x-fake-data': JSON.stringify(data ?? null) };
    await assert.rejects(bridge.auth.exists('a@example.com', customHeaders), (error) => {
      assert.equal(error.constructor, Class, `code ${code}`);
      assert.equal(error.code, code);
      if (data) assert.deepEqual(error.data, data);
      return true;
    });
  }
});

test('Promise.all of 1,000 calls is pipelined over one process, not serialised', async (t) => {
  const bridge = fakeBridge(t);
  // The fake answers none of these until all 1,000 are in flight at once.
  const gate = { 'x-fake': 'gate:1000' };
  const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => bridge.auth.exists(`user${i}@example.com`, gate)));
  assert.equal(results.length, 1000);
  assert.ok(results.every((result) => result.exists === true));
  const ids = (await fakeReceived(bridge)).filter((m) => m.method === 'auth.exists').map((m) => m.id);
  assert.equal(new Set(ids).size, 1000, 'every call has its own id');
});

test('aborting a call rejects it with an AbortError at once and sends $/cancelRequest for its id', async (t) => {
  const bridge = fakeBridge(t);
  const warnings = [];
  const onWarning = (warning) => warnings.push(warning);
  process.on('warning', onWarning);
  t.after(() => process.off('warning', onWarning));
  const controller = new AbortController();
  const call = bridge.auth.getSession({ 'x-fake': 'hang' }, { signal: controller.signal });
  await bridge.ping(); // the hanging call is now on the wire
  controller.abort(new Error('user gave up'));
  await assert.rejects(call, (error) => {
    assert.ok(error instanceof BridgeAbortError);
    assert.equal(error.name, 'AbortError');
    assert.equal(error.code, 'ABORT_ERR');
    assert.equal(error.cause.message, 'user gave up');
    return true;
  });
  const received = await fakeReceived(bridge);
  const hung = received.find((m) => m.params?.customHeaders?.['x-fake'] === 'hang');
  assert.deepEqual(received.find((m) => m.method === '$/cancelRequest'), { jsonrpc: '2.0', method: '$/cancelRequest', params: { id: hung.id } });
  await bridge.ping(); // the fake's -32800 answer has arrived by now, and was dropped quietly
  assert.deepEqual(warnings, []);
});

test('a call whose timeout elapses rejects with a TimeoutError and is cancelled in the bridge', async (t) => {
  const bridge = fakeBridge(t);
  await bridge.start(); // so the timeout elapses in the call, not in the start
  await assert.rejects(bridge.auth.getSession({ 'x-fake': 'hang' }, { timeout: 50 }), (error) => {
    assert.ok(error instanceof BridgeTimeoutError);
    assert.equal(error.name, 'TimeoutError');
    assert.equal(error.timeout, 50);
    return true;
  });
  assert.ok((await fakeReceived(bridge)).some((m) => m.method === '$/cancelRequest'));
});

test('a call that answers before its timeout resolves normally', async (t) => {
  const bridge = fakeBridge(t);
  assert.deepEqual(await bridge.auth.exists('a@example.com', { 'x-fake': 'late:20' }, { timeout: 30_000 }), { exists: true });
});

test('an already aborted signal rejects without starting the bridge or sending anything', async (t) => {
  const bridge = fakeBridge(t);
  await assert.rejects(bridge.auth.exists('a@example.com', undefined, { signal: AbortSignal.abort() }), BridgeAbortError);
  assert.equal(bridge.pid, undefined);
});

test('the timeout of a first call also bounds the start of the bridge', async (t) => {
  const bridge = fakeBridge(t, { 'x-fake-init': 'silent' });
  await assert.rejects(bridge.ping({ timeout: 100 }), BridgeTimeoutError);
});

test('an 8 MB answer and raw U+2028 in a string come through intact', async (t) => {
  const bridge = fakeBridge(t);
  const big = await bridge.auth.authenticate(secret, { 'x-fake': `big:${8 * 1024 * 1024}` });
  assert.equal(big.customer.blob.length, 8 * 1024 * 1024);
  const odd = await bridge.auth.authenticate(secret, { 'x-fake': 'u2028' });
  assert.equal(odd.customer.first_name, 'a\u2028b\u2029c');
});

test('a stray non-JSON line or an answer with an unknown id is ignored with a warning', async (t) => {
  const bridge = fakeBridge(t);
  const warnings = [];
  const onWarning = (warning) => warnings.push(warning.message);
  process.on('warning', onWarning);
  t.after(() => process.off('warning', onWarning));
  assert.deepEqual(await bridge.auth.exists('a@example.com', { 'x-fake': 'garbage' }), { exists: true });
  await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
  assert.equal(warnings.length, 2);
  assert.match(warnings[0], /not JSON/);
  assert.match(warnings[1], /unknown id "nobody"/);
});

test('bad arguments reject with TypeError before anything is sent', async (t) => {
  const bridge = fakeBridge(t);
  await assert.rejects(bridge.auth.authenticate('alice'), TypeError);
  await assert.rejects(bridge.auth.getSession(['x']), TypeError);
  await assert.rejects(bridge.auth.getSession(undefined, { timeout: -1 }), RangeError);
  await assert.rejects(bridge.auth.getSession(undefined, { timeout: 0 }), RangeError);
  await assert.rejects(bridge.auth.getSession(undefined, { signal: 'no' }), TypeError);
  await assert.rejects(bridge.auth.getSession(undefined, { retries: 1 }), /unknown call option "retries"/);
  await assert.rejects(bridge.auth.exists('a@example.com', undefined, {}, 'extra'), /takes at most 3 arguments/);
  await assert.rejects(bridge.auth.exists(5), /auth.exists: email must be a string/);
  await assert.rejects(bridge.session('bob').auth.exists('a@example.com', { session: 'alice' }), /belongs to session 'bob'/);
  await assert.rejects(bridge.auth.exists('a@example.com', { session: '' }), TypeError);
  await assert.rejects(bridge.auth.getSession({ 'Transfer-Encoding': 'chunked' }), /Transfer-Encoding is set by the bridge's HTTP layer/);
  await assert.rejects(bridge.ping({ session: 'alice' }), /takes only the signal and timeout options/);
  await assert.rejects(bridge.start({ timeout: 0 }), RangeError);
  await assert.rejects(bridge.start({ session: 'alice' }), /takes only the signal and timeout options/);
  assert.equal(bridge.pid, undefined);
});

test("a per-call timeout above Node's timer maximum (2^31-1 ms) is refused with a RangeError before anything starts, and the maximum itself is honoured", async (t) => {
  const bridge = fakeBridge(t);
  const thirtyDays = 30 * 24 * 3600 * 1000;
  const refused = (error) => error instanceof RangeError && /^the timeout option must be at most 2147483647 ms \(Node's timer maximum, about 24\.8 days\), not /.test(error.message);
  // Node's setTimeout fires a longer delay after 1 ms, so such a call would time out at once.
  await assert.rejects(bridge.auth.exists('a@example.com', { timeout: thirtyDays }), refused);
  await assert.rejects(bridge.ping({ timeout: 2 ** 31 }), refused);
  await assert.rejects(bridge.start({ timeout: 2 ** 31 }), refused);
  await assert.rejects(bridge.session('alice').clear({ timeout: 2 ** 31 }), refused);
  assert.equal(bridge.pid, undefined, 'nothing was started');
  // late:50 answers after a timer of 1 ms would have fired.
  assert.deepEqual(await bridge.auth.exists('a@example.com', { 'x-fake': 'late:50' }, { timeout: 2 ** 31 - 1 }), { exists: true });
});

test('the call options may come last in place of customHeaders: exists(email, { signal, timeout, headers, session })', async (t) => {
  const bridge = fakeBridge(t);
  const controller = new AbortController();
  const options = { signal: controller.signal, timeout: 30_000, headers: { 'x-trace': '2' }, session: 'alice' };
  assert.deepEqual(await bridge.auth.exists('a@example.com', options), { exists: true });
  await bridge.auth.getSession({ session: 'alice' }).catch(() => {});
  await bridge.auth.exists('b@example.com', { 'x-trace': '1' }, { headers: { 'x-other': '3' } });
  const sent = (await fakeReceived(bridge)).filter((m) => m.method.startsWith('auth.')).map(({ method, params }) => ({ method, params }));
  assert.deepEqual(sent, [
    { method: 'auth.exists', params: { email: 'a@example.com', customHeaders: { 'x-trace': '2' }, session: 'alice' } },
    { method: 'auth.getSession', params: { session: 'alice' } },
    { method: 'auth.exists', params: { email: 'b@example.com', customHeaders: { 'x-trace': '1', 'x-other': '3' }, session: 'default' } },
  ]);
  controller.abort();
  await assert.rejects(bridge.auth.getSession({ signal: controller.signal }), BridgeAbortError);
});

test('emailExists resolves to a boolean, for conditions where the {exists} object would always be truthy', async (t) => {
  const bridge = fakeBridge(t);
  assert.equal(await bridge.auth.emailExists('a@example.com'), true);
  assert.equal(await bridge.auth.emailExists('nobody@example.com'), false);
  assert.equal(await bridge.session('s').auth.emailExists('nobody@example.com', { timeout: 30_000 }), false);
});

test('abort and timeout errors name the method and the session', async (t) => {
  const bridge = fakeBridge(t);
  await bridge.start();
  await assert.rejects(bridge.session('alice').auth.getSession({ 'x-fake': 'hang' }, { timeout: 50 }), (error) => {
    assert.equal(error.message, "auth.getSession in session 'alice': no answer within its timeout of 50 ms");
    assert.deepEqual([error.method, error.session, error.timeout], ['auth.getSession', 'alice', 50]);
    return true;
  });
  await assert.rejects(bridge.auth.exists('a@example.com', { signal: AbortSignal.abort() }), (error) => {
    assert.equal(error.message, "auth.exists in session 'default': aborted by its signal");
    return true;
  });
});
