'use strict';
// The wire trace, observed from outside: test-support/scripts/trace.js runs as its own Node process
// with MEDUSA_AUTH_BRIDGE_TRACE set (and once without), against the fake bridge; its stderr must
// hold one JSON record per message in the shape both clients share, with every secret redacted.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { FAKE_BRIDGE, runScript } = require('../test-support/helpers');

const SCRIPT = path.join(__dirname, '..', 'test-support', 'scripts', 'trace.js');

function records(stderr) {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .filter((record) => record.trace === 'medusa-auth-bridge');
}

test('MEDUSA_AUTH_BRIDGE_TRACE=1 writes every message as a JSON line on stderr, secrets redacted', async () => {
  const run = await runScript(SCRIPT, [FAKE_BRIDGE], { env: { MEDUSA_AUTH_BRIDGE_TRACE: '1' } });
  assert.equal(run.code, 0, run.stderr);
  const trace = records(run.stderr);
  const seen = trace.map((record) => `${record.direction} ${record.message.method ?? (record.message.error ? 'error' : 'result')}`);
  assert.deepEqual(seen.slice(0, 6), ['send initialize', 'receive result', 'send auth.login', 'receive result', 'send auth.getSession', 'send $/cancelRequest']);
  // The cancelled call's late -32800 races the ping that follows it; it is traced as unmatched either way.
  assert.deepEqual(seen.slice(6).sort(), ['receive result', 'send ping', 'unmatched error']);
  for (const record of trace) {
    assert.deepEqual(Object.keys(record), ['trace', 'time', 'pid', 'direction', 'message']);
    assert.ok(!Number.isNaN(Date.parse(record.time)));
    assert.equal(typeof record.pid, 'number');
  }
  const login = trace[2].message.params;
  assert.deepEqual(login, { email: 'a@example.com', password: '<redacted>', customHeaders: { Authorization: '<redacted>' }, session: 'default' });
  assert.deepEqual(trace[3].message.result, { token: '<redacted>' });
  assert.ok(!run.stderr.includes('secret') && !run.stderr.includes('fake.v2.login') && !run.stderr.includes('Bearer x'), 'no secret anywhere');
});

test('without MEDUSA_AUTH_BRIDGE_TRACE (or with 0) nothing is traced', async () => {
  for (const value of [undefined, '0', 'false']) {
    const env = value === undefined ? {} : { MEDUSA_AUTH_BRIDGE_TRACE: value };
    const { MEDUSA_AUTH_BRIDGE_TRACE, ...rest } = process.env;
    const run = await runScript(SCRIPT, [FAKE_BRIDGE], { env: { ...env }, baseEnv: rest });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(records(run.stderr), [], `MEDUSA_AUTH_BRIDGE_TRACE=${value}`);
  }
});
