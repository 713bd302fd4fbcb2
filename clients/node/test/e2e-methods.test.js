'use strict';
// End to end: the client, the real medusa-auth-bridge binary and the Medusa emulator, each method
// and error class as a user meets them. Skipped without a binary, failing instead under CI=true
// (see test-support/e2e.js).

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const errors = require('..');
const { useRealBridge } = require('../test-support/e2e');
const { REPO_ROOT } = require('../test-support/helpers');

const e2e = useRealBridge();
const { skip } = e2e;

const oli = { email: 'oli@test.dk', password: 'test' };
const alice = { email: 'alice@example.com', password: 'alice-password' };
const bob = { email: 'bob@example.com', password: 'bob-password' };

test('start() checks the version: the bridge answers protocol 1.0 and names itself', { skip }, async (t) => {
  const info = await e2e.bridge(t).start();
  assert.equal(info.protocolVersion, '1.0');
  assert.equal(info.serverInfo.name, 'medusa-auth-bridge');
  assert.equal(typeof info.serverInfo.version, 'string');
});

test('authenticate resolves to Medusa\'s body, and getSession then sees the same customer', { skip }, async (t) => {
  const bridge = e2e.bridge(t);
  const { customer } = await bridge.auth.authenticate(oli);
  assert.equal(customer.email, 'oli@test.dk');
  assert.equal(customer.has_account, true);
  assert.match(customer.id, /^cus_/);
  assert.ok(Array.isArray(customer.orders) && customer.orders.length > 0, 'oli has orders');
  assert.ok(Array.isArray(customer.shipping_addresses) && customer.shipping_addresses.length > 0);
  assert.equal(customer.password_hash, undefined);
  assert.deepEqual(await bridge.auth.getSession(), { customer });
});

test('deleteSession resolves to {} and the session is logged out afterwards', { skip }, async (t) => {
  const bridge = e2e.bridge(t);
  await bridge.auth.authenticate(oli);
  assert.deepEqual(await bridge.auth.deleteSession(), {});
  await assert.rejects(bridge.auth.getSession(), errors.UnauthorizedError);
});

test('deleteSession also forgets the token, so a JWT does not outlive logout', { skip }, async (t) => {
  const bridge = e2e.bridge(t);
  const jwt = bridge.session('jwt');
  await jwt.auth.getToken(bob);
  assert.deepEqual(await jwt.auth.deleteSession(), {});
  const listed = (await bridge.sessions()).find((s) => s.name === 'jwt');
  assert.equal(listed.hasToken, false);
  await assert.rejects(jwt.auth.getSession(), errors.UnauthorizedError);
});

test('exists is true for a registered customer and false for a guest without an account', { skip }, async (t) => {
  const bridge = e2e.bridge(t);
  assert.deepEqual(await bridge.auth.exists('alice@example.com'), { exists: true });
  assert.deepEqual(await bridge.auth.exists('guest@test.dk'), { exists: false });
});

test('getToken resolves to a JWT, and the session then authenticates by Bearer token', { skip }, async (t) => {
  const bridge = e2e.bridge(t);
  const { access_token: token } = await bridge.session('jwt').auth.getToken(bob);
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  const { customer } = await bridge.session('jwt').auth.getSession();
  assert.equal(customer.email, 'bob@example.com');
  const sent = (await e2e.requests()).filter((r) => r.method === 'GET' && r.path === '/store/auth');
  assert.equal(sent.at(-1).headers.authorization, `Bearer ${token}`);
});

test('custom headers reach Medusa on that call only, and configured headers on every call', { skip }, async (t) => {
  const bridge = e2e.bridge(t, { headers: { 'x-everywhere': 'yes' } });
  await bridge.auth.exists('alice@example.com', { 'x-once': '1' });
  await bridge.auth.exists('bob@example.com');
  const [first, second] = await e2e.requests();
  assert.equal(first.headers['x-once'], '1');
  assert.equal(second.headers['x-once'], undefined);
  assert.equal(first.headers['x-everywhere'], 'yes');
  assert.equal(second.headers['x-everywhere'], 'yes');
});

test('the publishable key option reaches Medusa as x-publishable-api-key', { skip }, async (t) => {
  const bridge = e2e.bridge(t, { publishableApiKey: 'pk_test_123' });
  await bridge.auth.exists('alice@example.com');
  const [request] = await e2e.requests();
  assert.equal(request.headers['x-publishable-api-key'], 'pk_test_123');
});

test('two sessions log in two customers side by side, are listed, and clear() forgets only one', { skip }, async (t) => {
  const bridge = e2e.bridge(t);
  await bridge.session('alice').auth.authenticate(alice);
  await bridge.session('bob').auth.getToken(bob);
  assert.equal((await bridge.session('alice').auth.getSession()).customer.email, 'alice@example.com');
  assert.equal((await bridge.session('bob').auth.getSession()).customer.email, 'bob@example.com');
  const listed = Object.fromEntries((await bridge.sessions()).map((s) => [s.name, s]));
  assert.equal(listed.alice.hasCookie, true);
  assert.equal(listed.bob.hasToken, true);
  assert.match(listed.alice.customerId, /^cus_/);
  assert.notEqual(listed.alice.customerId, listed.bob.customerId);
  await bridge.session('alice').clear();
  const cleared = (await bridge.sessions()).find((s) => s.name === 'alice');
  assert.deepEqual([cleared?.hasCookie ?? false, cleared?.hasToken ?? false], [false, false]);
  await assert.rejects(bridge.session('alice').auth.getSession(), errors.UnauthorizedError);
  assert.equal((await bridge.session('bob').auth.getSession()).customer.email, 'bob@example.com');
});

test('ping resolves, and discover returns schema/openrpc.json', { skip }, async (t) => {
  const bridge = e2e.bridge(t);
  assert.equal(await bridge.ping(), undefined);
  const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schema', 'openrpc.json'), 'utf8'));
  assert.deepEqual(await bridge.discover(), schema);
});

test('a wrong password rejects with UnauthorizedError, status 401 and body Unauthorized', { skip }, async (t) => {
  await assert.rejects(e2e.bridge(t).auth.authenticate({ ...oli, password: 'wrong' }), (error) => {
    assert.ok(error instanceof errors.UnauthorizedError);
    assert.equal(error.code, errors.ErrorCode.MEDUSA_HTTP_ERROR);
    assert.deepEqual([error.status, error.body], [401, 'Unauthorized']);
    return true;
  });
});

test("an invalid email rejects with MedusaError carrying Medusa's type and message", { skip }, async (t) => {
  await assert.rejects(e2e.bridge(t).auth.authenticate({ email: 'not-an-email', password: 'x' }), (error) => {
    assert.equal(error.constructor, errors.MedusaError);
    assert.equal(error.status, 400);
    assert.equal(error.type, 'invalid_data');
    assert.match(error.medusaMessage, /email/);
    return true;
  });
});

test('a 404 from Medusa rejects with NotFoundError', { skip }, async (t) => {
  await e2e.fault({ method: 'GET', status: 404, times: 1 });
  await assert.rejects(e2e.bridge(t).auth.exists('alice@example.com'), (error) => error instanceof errors.NotFoundError && error.status === 404);
});

test('a missing password rejects with InvalidParamsError naming the field', { skip }, async (t) => {
  await assert.rejects(e2e.bridge(t).auth.authenticate({ email: 'oli@test.dk' }), (error) => {
    assert.ok(error instanceof errors.InvalidParamsError && error instanceof errors.ProtocolError);
    assert.equal(error.field, 'password');
    return true;
  });
});

test('a backend that refuses connections rejects with BridgeUnreachableError, reason refused', { skip }, async (t) => {
  const bridge = e2e.bridge(t, { baseUrl: 'http://127.0.0.1:1' });
  await assert.rejects(bridge.auth.exists('alice@example.com'), (error) => {
    assert.ok(error instanceof errors.BridgeUnreachableError);
    assert.equal(error.reason, 'refused');
    assert.equal(error.attempts, 1);
    return true;
  });
});

test('a 2xx body that is not JSON rejects with BadResponseError', { skip }, async (t) => {
  await e2e.fault({ method: 'GET', garbage: true, times: 1 });
  await assert.rejects(e2e.bridge(t).auth.exists('alice@example.com'), (error) => {
    assert.ok(error instanceof errors.BadResponseError);
    assert.equal(error.status, 200);
    assert.equal(typeof error.body, 'string');
    return true;
  });
});

test('Promise.all of 1,000 calls over one bridge all resolve correctly', { skip }, async (t) => {
  const bridge = e2e.bridge(t);
  const emails = Array.from({ length: 1000 }, (_, i) => (i % 2 ? 'alice@example.com' : 'guest@test.dk'));
  const results = await Promise.all(emails.map((email) => bridge.auth.exists(email)));
  results.forEach((result, i) => assert.equal(result.exists, i % 2 === 1));
});
