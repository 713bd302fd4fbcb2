'use strict';
// In-process tests of `new Bridge(options)`: validation, and the flags and environment they become.

const test = require('node:test');
const assert = require('node:assert/strict');
const { validateBridgeOptions, bridgeArgs, bridgeEnv } = require('../lib/options');
const { Bridge } = require('..');

test('each option becomes the bridge flag the contract names', () => {
  const options = validateBridgeOptions({
    baseUrl: 'http://127.0.0.1:9000',
    maxRetries: 3,
    headers: { 'x-one': '1', 'X-Two': 'two words' },
    httpTimeout: 2500,
    logLevel: 'debug',
    authType: 'session',
  });
  assert.deepEqual(bridgeArgs(options), [
    '--base-url', 'http://127.0.0.1:9000',
    '--max-retries', '3',
    '--header', 'x-one: 1',
    '--header', 'X-Two: two words',
    '--timeout', '2.5',
    '--log-level', 'debug',
    '--auth-type', 'session',
    '--framing', 'ndjson',
  ]);
});

test('options left out are not passed, so the bridge defaults and environment fallbacks apply', () => {
  assert.deepEqual(bridgeArgs(validateBridgeOptions({})), ['--framing', 'ndjson']);
  assert.deepEqual(bridgeArgs(validateBridgeOptions(undefined)), ['--framing', 'ndjson']);
});

test('httpTimeout is in milliseconds like every other duration, and reaches the bridge in seconds', () => {
  assert.deepEqual(bridgeArgs(validateBridgeOptions({ httpTimeout: 30_000 })).slice(0, 2), ['--timeout', '30']);
  assert.deepEqual(bridgeArgs(validateBridgeOptions({ httpTimeout: 250 })).slice(0, 2), ['--timeout', '0.25']);
});

test('the close() steps and the handshake have defaults, the SIGTERM wait longer than the bridge\'s 3 s drain', () => {
  const options = validateBridgeOptions({});
  assert.deepEqual(
    [options.handshakeTimeout, options.exitTimeout, options.terminateTimeout, options.killTimeout],
    [10_000, 5_000, 5_000, 5_000],
  );
  assert.ok(options.terminateTimeout > 3_000);
  assert.equal(validateBridgeOptions({ exitTimeout: 100 }).exitTimeout, 100);
});

test('the environment passed on is the allow-list and MEDUSA_ variables only, then the key, then env', () => {
  const parent = { PATH: '/bin', HOME: '/root', AWS_SECRET_ACCESS_KEY: 'no', MEDUSA_BACKEND_URL: 'http://x', MEDUSA_MAX_RETRIES: '2', NODE_OPTIONS: '--inspect' };
  const env = bridgeEnv(validateBridgeOptions({ publishableApiKey: 'pk_1', env: { MEDUSA_MAX_RETRIES: '3', EXTRA: '1' } }), parent);
  assert.deepEqual(env, { PATH: '/bin', HOME: '/root', MEDUSA_BACKEND_URL: 'http://x', MEDUSA_MAX_RETRIES: '3', MEDUSA_PUBLISHABLE_API_KEY: 'pk_1', EXTRA: '1' });
});

test('the publishable key goes to the environment and never onto the command line', () => {
  const options = validateBridgeOptions({ publishableApiKey: 'pk_secret' });
  assert.ok(!bridgeArgs(options).some((arg) => arg.includes('pk_secret')));
  assert.equal(bridgeEnv(options, { PATH: '/bin' }).MEDUSA_PUBLISHABLE_API_KEY, 'pk_secret');
  assert.equal(bridgeEnv(validateBridgeOptions({}), { PATH: '/bin' }).MEDUSA_PUBLISHABLE_API_KEY, undefined);
});

test('an unknown option is refused, with a hint for the medusa-js spelling customHeaders', () => {
  assert.throws(() => new Bridge({ customHeaders: {} }), /unknown Bridge option "customHeaders" \(the option is named headers\)/);
  assert.throws(() => new Bridge({ baseURL: 'x' }), TypeError);
});

test('bad option values are refused when the Bridge is built, with the rules the bridge applies', () => {
  const bad = [
    [{ baseUrl: 'not a url' }, /baseUrl must be an http or https URL with a host, no query and no fragment, not "not a url"/],
    [{ baseUrl: '127.0.0.1:9000' }, /baseUrl must be an http or https URL/],
    [{ baseUrl: 'ftp://example.com' }, /baseUrl/],
    [{ baseUrl: 'http://example.com/?a=1' }, /no query/],
    [{ baseUrl: 'http://example.com/#top' }, /no fragment/],
    [{ maxRetries: -1 }, /maxRetries must be a whole number from 0 to 100, not -1/],
    [{ maxRetries: 200 }, /from 0 to 100, not 200/],
    [{ maxRetries: 1.5 }, /maxRetries/],
    [{ maxRetries: true }, /maxRetries/],
    [{ publishableApiKey: 5 }, /publishableApiKey/],
    [{ publishableApiKey: '' }, /publishableApiKey must be a non-empty string/],
    [{ headers: { 'bad name': 'x' } }, /invalid header name "bad name"/],
    [{ headers: { ok: 'line\nbreak' } }, /control characters/],
    [{ headers: { 'Content-Length': '0' } }, /Content-Length is set by the bridge's HTTP layer and cannot be given/],
    [{ headers: { ok: 5 } }, /headers/],
    [{ headers: [] }, /headers/],
    [{ binary: '' }, /binary/],
    [{ httpTimeout: 0 }, /httpTimeout must be more than 0 ms/],
    [{ httpTimeout: -5 }, /httpTimeout/],
    [{ httpTimeout: Number.NaN }, /httpTimeout must be a finite number of milliseconds/],
    [{ httpTimeout: Infinity }, /httpTimeout/],
    [{ httpTimeout: 86_400_001 }, /at most 86400000 ms/],
    [{ handshakeTimeout: 0 }, /handshakeTimeout/],
    [{ exitTimeout: '5' }, /exitTimeout/],
    [{ terminateTimeout: -1 }, /terminateTimeout/],
    [{ killTimeout: false }, /killTimeout/],
    [{ logLevel: 'loud' }, /logLevel must be one of error, warn, info, debug, trace, not "loud"/],
    [{ authType: 'cookie' }, /authType must be jwt or session/],
    [{ env: { A: 1 } }, /env: the value of A/],
    [{ env: { 'A=B': 'x' } }, /env: invalid variable name/],
    [{ stderr: 'pipe' }, /stderr must be 'inherit', 'ignore' or a Writable stream/],
    ['string', /Bridge options must be an object/],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => new Bridge(options), (error) => (error instanceof TypeError || error instanceof RangeError) && message.test(error.message), JSON.stringify(options));
  }
});

test("every Bridge duration above Node's timer maximum (2^31-1 ms) is refused with a RangeError naming it, and the maximum itself is taken", () => {
  for (const name of ['handshakeTimeout', 'exitTimeout', 'terminateTimeout', 'killTimeout']) {
    // Node's setTimeout fires a longer delay after 1 ms: the handshake would fail at once.
    assert.throws(
      () => new Bridge({ [name]: 2 ** 31 }),
      (error) => error instanceof RangeError && error.message === `${name} must be at most 2147483647 ms (Node's timer maximum, about 24.8 days), not 2147483648`,
      name,
    );
    assert.throws(() => new Bridge({ [name]: 30 * 24 * 3600 * 1000 }), RangeError, name);
    assert.doesNotThrow(() => new Bridge({ [name]: 2 ** 31 - 1 }), name);
  }
});

test('a session name must be a non-empty string, and the same name gives the same session', () => {
  const bridge = new Bridge();
  assert.throws(() => bridge.session(''), TypeError);
  assert.throws(() => bridge.session(5), TypeError);
  assert.equal(bridge.session('alice'), bridge.session('alice'));
  assert.equal(bridge.auth, bridge.session('default').auth);
  assert.equal(bridge.session('alice').name, 'alice');
});
