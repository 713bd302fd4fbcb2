'use strict';
// The Medusa v2 methods (js-sdk's shapes) against the fake bridge, a real child process: what goes
// on the wire, what each resolves to, and the arguments refused before anything is sent. The same
// methods against the real bridge and the emulator in v2 mode are in e2e-v2.test.js.

const test = require('node:test');
const assert = require('node:assert/strict');
const { Bridge, UnauthorizedError } = require('..');
const { FAKE_BRIDGE, fakeReceived } = require('../test-support/helpers');

function fakeBridge(t) {
  const bridge = new Bridge({ binary: FAKE_BRIDGE });
  t.after(() => bridge.close());
  return bridge;
}

const credentials = { email: 'a@example.com', password: 'secret' };

test('login resolves to the token string, or to { location } when the provider redirects, as js-sdk does', async (t) => {
  const bridge = fakeBridge(t);
  assert.equal(await bridge.auth.login('customer', 'emailpass', credentials), 'fake.v2.login');
  assert.deepEqual(await bridge.auth.login('customer', 'google', { callback_url: 'https://shop.example.com/cb' }), {
    location: 'https://accounts.example.com/o/oauth2?state=fake',
  });
  const sent = (await fakeReceived(bridge)).filter((m) => m.method === 'auth.login').map((m) => m.params);
  assert.deepEqual(sent, [
    { ...credentials, session: 'default' },
    { provider: 'google', payload: { callback_url: 'https://shop.example.com/cb' }, session: 'default' },
  ]);
});

test('register, callback and refresh resolve to token strings; logout, resetPassword and updateProvider to undefined', async (t) => {
  const bridge = fakeBridge(t);
  const alice = bridge.session('alice');
  assert.equal(await alice.auth.register('customer', 'emailpass', credentials), 'fake.v2.register');
  assert.equal(await alice.auth.callback('customer', 'google', { code: 'c1', state: 's1' }), 'fake.v2.callback.c1');
  assert.equal(await alice.auth.refresh(), 'fake.v2.refreshed');
  assert.equal(await alice.auth.logout(), undefined);
  assert.equal(await bridge.auth.resetPassword('customer', 'emailpass', { identifier: 'a@example.com' }), undefined);
  assert.equal(await bridge.auth.updateProvider('customer', 'emailpass', { password: 'new' }, 'reset.jwt'), undefined);
  const sent = (await fakeReceived(bridge)).slice(1, -1).map(({ method, params }) => ({ method, params }));
  assert.deepEqual(sent, [
    { method: 'auth.register', params: { ...credentials, session: 'alice' } },
    { method: 'auth.callback', params: { provider: 'google', query: { code: 'c1', state: 's1' }, session: 'alice' } },
    { method: 'auth.refresh', params: { session: 'alice' } },
    { method: 'auth.logout', params: { session: 'alice' } },
    { method: 'auth.resetPassword', params: { provider: 'emailpass', identifier: 'a@example.com', session: 'default' } },
    { method: 'auth.updateProvider', params: { password: 'new', token: 'reset.jwt', session: 'default' } },
  ]);
});

test('signup resolves to { customer, token } and store.customer.* to { customer }, with fields and headers passed on', async (t) => {
  const bridge = fakeBridge(t);
  const signed = await bridge.auth.signup({ ...credentials, first_name: 'Ann' });
  assert.deepEqual(signed, { customer: { id: 'cus_fake_v2', email: credentials.email, first_name: 'Ann' }, token: 'fake.v2.signup' });
  assert.equal((await bridge.store.customer.create({ email: 'b@example.com' }, { fields: '*orders' }, { 'x-a': '1' })).customer.email, 'b@example.com');
  assert.equal((await bridge.store.customer.retrieve()).customer.id, 'cus_fake_v2');
  assert.equal((await bridge.session('bob').store.customer.update({ first_name: 'Bob' })).customer.first_name, 'Bob');
  const sent = (await fakeReceived(bridge)).filter((m) => m.method.startsWith('store.') || m.method === 'auth.signup').map(({ method, params }) => ({ method, params }));
  assert.deepEqual(sent, [
    { method: 'auth.signup', params: { ...credentials, first_name: 'Ann', session: 'default' } },
    { method: 'store.customer.create', params: { email: 'b@example.com', fields: '*orders', customHeaders: { 'x-a': '1' }, session: 'default' } },
    { method: 'store.customer.retrieve', params: { session: 'default' } },
    { method: 'store.customer.update', params: { first_name: 'Bob', session: 'bob' } },
  ]);
});

test('the call options come last, or stand in for a query or headers argument left out', async (t) => {
  const bridge = fakeBridge(t);
  await bridge.auth.login('customer', 'emailpass', credentials, { session: 'carol', headers: { 'x-b': '2' } });
  await bridge.store.customer.retrieve({ session: 'carol' });
  await bridge.store.customer.retrieve({ fields: 'email' }, { session: 'carol', timeout: 30_000 });
  await bridge.auth.refresh({ session: 'carol' });
  await bridge.auth.logout({ session: 'carol' });
  const sent = (await fakeReceived(bridge)).slice(1, -1).map(({ method, params }) => ({ method, params }));
  assert.deepEqual(sent, [
    { method: 'auth.login', params: { ...credentials, customHeaders: { 'x-b': '2' }, session: 'carol' } },
    { method: 'store.customer.retrieve', params: { session: 'carol' } },
    { method: 'store.customer.retrieve', params: { fields: 'email', session: 'carol' } },
    { method: 'auth.refresh', params: { session: 'carol' } },
    { method: 'auth.logout', params: { session: 'carol' } },
  ]);
});

test("a wrong v2 password is an UnauthorizedError keeping Medusa's type and message, named by method and session", async (t) => {
  const bridge = fakeBridge(t);
  await assert.rejects(bridge.session('dave').auth.login('customer', 'emailpass', { ...credentials, password: 'wrong' }), (error) => {
    assert.ok(error instanceof UnauthorizedError);
    assert.deepEqual([error.status, error.type, error.medusaMessage], [401, 'unauthorized', 'Invalid email or password']);
    assert.equal(error.message, "auth.login in session 'dave': Medusa answered 401 unauthorized: Invalid email or password");
    return true;
  });
});

test('arguments js-sdk would send but the bridge cannot serve are refused with TypeError before anything is sent', async (t) => {
  const bridge = fakeBridge(t);
  await assert.rejects(bridge.auth.login('user', 'emailpass', credentials), /actor must be "customer"/);
  await assert.rejects(bridge.auth.login('customer', '../admin', credentials), /method must be a provider name/);
  await assert.rejects(bridge.auth.login('customer', 'emailpass'), /payload must be an object/);
  await assert.rejects(bridge.auth.callback('customer', 'google', { code: 5 }), /query.code must be a string/);
  await assert.rejects(bridge.auth.updateProvider('customer', 'emailpass', { password: 'n' }), /token must be a string/);
  await assert.rejects(bridge.store.customer.retrieve({ limit: 5 }), /query takes only fields/);
  await assert.rejects(bridge.store.customer.update('x'), /body must be an object/);
  await assert.rejects(bridge.auth.logout({ session: 'a' }, 'extra'), /takes at most 1 argument \(the last is the call options\), got 2/);
  assert.equal(bridge.pid, undefined, 'nothing was started');
});
