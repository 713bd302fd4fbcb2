'use strict';
// End to end on Medusa v2: the client's js-sdk-shaped methods, the real medusa-auth-bridge binary
// and the Medusa emulator in v2 mode (`--medusa-version 2`), in both auth types (jwt and session)
// where the flow differs. Skipped without a binary, failing instead under CI=true (test-support/e2e.js).

const test = require('node:test');
const assert = require('node:assert/strict');
const { InvalidParamsError, MedusaError, UnauthorizedError } = require('..');
const { useRealBridge } = require('../test-support/e2e');

const e2e = useRealBridge({ medusaVersion: 2 });
const { skip } = e2e;

const oli = { email: 'oli@test.dk', password: 'test' };
const alice = { email: 'alice@example.com', password: 'alice-password' };
const bob = { email: 'bob@example.com', password: 'bob-password' };
const AUTH_TYPES = ['jwt', 'session'];

for (const authType of AUTH_TYPES) {
  test(`${authType}: login resolves to a token, the session reads its customer, refresh gives a new token, logout ends it`, { skip }, async (t) => {
    const bridge = e2e.bridge(t, { authType });
    const token = await bridge.auth.login('customer', 'emailpass', oli);
    assert.equal(typeof token, 'string');
    assert.equal(token.split('.').length, 3, 'a JWT');
    const { customer } = await bridge.store.customer.retrieve();
    assert.equal(customer.email, 'oli@test.dk');
    assert.equal((await bridge.store.customer.retrieve({ fields: 'email' })).customer.email, 'oli@test.dk');
    const [listed] = await bridge.sessions();
    assert.equal(authType === 'session' ? listed.hasCookie : listed.hasToken, true);
    if (authType === 'jwt') {
      const refreshed = await bridge.auth.refresh();
      assert.equal(typeof refreshed, 'string');
      assert.equal((await bridge.store.customer.retrieve()).customer.id, customer.id, 'the refreshed token works');
    }
    assert.equal(await bridge.auth.logout(), undefined);
    await assert.rejects(bridge.store.customer.retrieve(), UnauthorizedError);
  });

  test(`${authType}: register, store.customer.create, then login gives a session for the new customer`, { skip }, async (t) => {
    const bridge = e2e.bridge(t, { authType });
    const newcomer = { email: `new-${authType}@example.com`, password: 'pw-1' };
    const registration = await bridge.auth.register('customer', 'emailpass', newcomer);
    assert.equal(typeof registration, 'string');
    const created = await bridge.store.customer.create({ email: newcomer.email, first_name: 'New' });
    assert.equal(created.customer.email, newcomer.email);
    assert.equal(created.customer.first_name, 'New');
    await bridge.auth.login('customer', 'emailpass', newcomer);
    assert.equal((await bridge.store.customer.retrieve()).customer.id, created.customer.id);
  });

  test(`${authType}: signup does register, create and login in one call`, { skip }, async (t) => {
    const bridge = e2e.bridge(t, { authType });
    const signed = await bridge.session('s').auth.signup({ email: `signup-${authType}@example.com`, password: 'pw-2', last_name: 'Signed' });
    assert.equal(signed.customer.email, `signup-${authType}@example.com`);
    assert.equal(typeof signed.token, 'string');
    const me = await bridge.session('s').store.customer.retrieve();
    assert.deepEqual([me.customer.id, me.customer.last_name], [signed.customer.id, 'Signed']);
    const updated = await bridge.session('s').store.customer.update({ first_name: 'Now' });
    assert.equal(updated.customer.first_name, 'Now');
  });
}

test("a sign-up that fails names its step: another customer's email with the wrong password fails at register", { skip }, async (t) => {
  const bridge = e2e.bridge(t);
  await assert.rejects(bridge.session('sam').auth.signup({ email: alice.email, password: 'not-alice-password' }), (error) => {
    assert.ok(error instanceof UnauthorizedError);
    assert.equal(error.step, 'register');
    assert.equal(error.message, "auth.signup in session 'sam', step register: Medusa answered 401 unauthorized: Identity with email already exists");
    return true;
  });
});

test('resetPassword then updateProvider with the mailed token: the new password logs in, the old one no longer', { skip }, async (t) => {
  const bridge = e2e.bridge(t);
  assert.equal(await bridge.auth.resetPassword('customer', 'emailpass', { identifier: bob.email }), undefined);
  const token = await e2e.resetToken(bob.email);
  assert.equal(typeof token, 'string', 'the emulator recorded the reset token');
  assert.equal(await bridge.auth.updateProvider('customer', 'emailpass', { password: 'bob-new' }, token), undefined);
  assert.equal(typeof (await bridge.auth.login('customer', 'emailpass', { email: bob.email, password: 'bob-new' })), 'string');
  await assert.rejects(bridge.session('old').auth.login('customer', 'emailpass', bob), UnauthorizedError);
});

test('OAuth: login with google resolves to { location }, and callback with its state and a code to a token', { skip }, async (t) => {
  const bridge = e2e.bridge(t);
  const started = await bridge.auth.login('customer', 'google', {});
  assert.equal(typeof started, 'object');
  const state = new URL(started.location).searchParams.get('state');
  assert.ok(state, started.location);
  const token = await bridge.auth.callback('customer', 'google', { code: 'google-code-alice', state });
  assert.equal(typeof token, 'string');
  assert.equal((await bridge.store.customer.retrieve()).customer.email, alice.email);
});

test("a wrong password is an UnauthorizedError with Medusa's message, and differs from not being logged in", { skip }, async (t) => {
  const bridge = e2e.bridge(t);
  const wrong = await bridge.auth.login('customer', 'emailpass', { ...oli, password: 'nope' }).catch((error) => error);
  assert.ok(wrong instanceof UnauthorizedError);
  assert.equal(wrong.medusaMessage, 'Invalid email or password');
  assert.equal(wrong.message, "auth.login in session 'default': Medusa answered 401 unauthorized: Invalid email or password");
  const anonymous = await bridge.session('nobody').store.customer.retrieve().catch((error) => error);
  assert.ok(anonymous instanceof UnauthorizedError);
  assert.equal(anonymous.message, "store.customer.retrieve in session 'nobody': Medusa answered 401 Unauthorized");
});

test('a /store call without a publishable key fails before any request, saying how to set one', { skip }, async (t) => {
  const bridge = e2e.bridge(t, { publishableApiKey: undefined });
  await bridge.auth.login('customer', 'emailpass', oli);
  await assert.rejects(bridge.store.customer.retrieve(), (error) => {
    assert.ok(error instanceof InvalidParamsError);
    assert.match(error.message, /publishable/i);
    return true;
  });
});

test('an expired token is refused: after the clock passes its exp, the session reads 401', { skip }, async (t) => {
  const bridge = e2e.bridge(t);
  await bridge.auth.login('customer', 'emailpass', oli);
  await e2e.advanceClock(2 * 86_400);
  await assert.rejects(bridge.store.customer.retrieve(), UnauthorizedError);
});

test('two customers at once in two sessions each read their own', { skip }, async (t) => {
  const bridge = e2e.bridge(t);
  await Promise.all([
    bridge.session('alice').auth.login('customer', 'emailpass', alice),
    bridge.session('bob').auth.login('customer', 'emailpass', bob),
  ]);
  const [a, b] = await Promise.all([bridge.session('alice').store.customer.retrieve(), bridge.session('bob').store.customer.retrieve()]);
  assert.deepEqual([a.customer.email, b.customer.email], [alice.email, bob.email]);
});

test('a Medusa v1 method against a v2 backend fails with a hint naming the v2 methods', { skip }, async (t) => {
  const bridge = e2e.bridge(t);
  await assert.rejects(bridge.auth.authenticate(oli), (error) => {
    assert.ok(error instanceof MedusaError);
    assert.equal(typeof error.hint, 'string');
    assert.match(error.hint, /auth\.login/);
    assert.ok(error.message.includes(error.hint));
    return true;
  });
});
