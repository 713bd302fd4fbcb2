'use strict';
// Whether the client keeps Node alive, observed from outside: each test runs
// test-support/scripts/one-call.js as its own Node process (with the fake bridge) and waits, with a
// bound, for that process and everything holding its stdio (its bridge included) to close.
// The same checks against the real bridge are in e2e-lifecycle.test.js.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { FAKE_BRIDGE, runScript } = require('../test-support/helpers');

const SCRIPT = path.join(__dirname, '..', 'test-support', 'scripts', 'one-call.js');

test('a process that only built a Bridge exits by itself', async () => {
  const run = await runScript(SCRIPT, [JSON.stringify({ binary: FAKE_BRIDGE })]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, '');
});

test('a process whose call has been answered exits by itself, and its bridge with it', async () => {
  const run = await runScript(SCRIPT, [JSON.stringify({ binary: FAKE_BRIDGE, email: 'a@example.com' })]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout).answered, { exists: true });
});

test('a process stays alive while a call is pending, until the late answer arrives', async () => {
  const config = { binary: FAKE_BRIDGE, email: 'a@example.com', customHeaders: { 'x-fake': 'late:500' } };
  const run = await runScript(SCRIPT, [JSON.stringify(config)]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout).answered, { exists: true }, 'the script waited for the answer');
});
