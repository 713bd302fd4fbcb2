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
    httpTimeout: 2.5,
    logLevel: 'debug',
  });
  assert.deepEqual(bridgeArgs(options), [
    '--base-url', 'http://127.0.0.1:9000',
    '--max-retries', '3',
    '--header', 'x-one: 1',
    '--header', 'X-Two: two words',
    '--timeout', '2.5',
    '--log-level', 'debug',
  ]);
});

test('options left out are not passed, so the bridge defaults and environment fallbacks apply', () => {
  assert.deepEqual(bridgeArgs(validateBridgeOptions({})), []);
  assert.deepEqual(bridgeArgs(validateBridgeOptions(undefined)), []);
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

test('bad option values are refused when the Bridge is built, not when the process starts', () => {
  const bad = [
    { baseUrl: 'not a url' },
    { baseUrl: 'ftp://example.com' },
    { maxRetries: -1 },
    { maxRetries: 1.5 },
    { publishableApiKey: 5 },
    { headers: { 'bad name': 'x' } },
    { headers: { ok: 'line\nbreak' } },
    { headers: { ok: 5 } },
    { headers: [] },
    { binary: '' },
    { httpTimeout: 0 },
    { logLevel: 'loud' },
    'string',
  ];
  for (const options of bad) assert.throws(() => new Bridge(options), TypeError, JSON.stringify(options));
});

test('a session name must be a non-empty string, and the same name gives the same session', () => {
  const bridge = new Bridge();
  assert.throws(() => bridge.session(''), TypeError);
  assert.throws(() => bridge.session(5), TypeError);
  assert.equal(bridge.session('alice'), bridge.session('alice'));
  assert.equal(bridge.auth, bridge.session('default').auth);
  assert.equal(bridge.session('alice').name, 'alice');
});
