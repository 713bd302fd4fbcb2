'use strict';
/**
 * Set-up shared by the end-to-end test files: the real bridge binary and one Medusa emulator per
 * file (started in `before`, reset before each test, stopped in `after`).
 *
 * Without a binary or an emulator the tests are skipped locally, with the reason shown; under
 * CI=true they fail instead, so CI can never go green by skipping them.
 */

const { before, after, beforeEach } = require('node:test');
const { Bridge } = require('..');
const { realBinary } = require('./helpers');
const { startEmulator, emulatorExists, EMULATOR } = require('./emulator');

/**
 * A delay far beyond every bound in these tests: a request that the bridge does not really cancel
 * would hold its session or its caller for this long, and the test would visibly fail or time out.
 */
const SLOW_MS = 30_000;

/**
 * @param {{medusaVersion?: 1 | 2}} [options] the emulator's Medusa version; for 2, bridges get its
 *   publishable key unless a test passes `publishableApiKey: undefined`
 */
function useRealBridge({ medusaVersion = 1 } = {}) {
  const binary = realBinary(); // throws under CI=true when missing
  let skip = false;
  if (!binary) skip = 'no medusa-auth-bridge binary (set MEDUSA_AUTH_BRIDGE or build the checkout)';
  else if (!emulatorExists()) {
    if (process.env.CI === 'true') throw new Error(`CI=true but the Medusa emulator is missing: ${EMULATOR}`);
    skip = `no Medusa emulator at ${EMULATOR}`;
  }
  const context = { binary, skip, emulator: null };

  if (!skip) {
    before(async () => {
      context.emulator = await startEmulator({ medusaVersion });
    });
    after(async () => {
      await context.emulator?.stop();
    });
    beforeEach(async () => {
      await context.emulator.control('POST', 'reset', {});
    });
  }

  /** A Bridge on the real binary and this file's emulator, closed when the test ends. */
  context.bridge = (t, options = {}) => {
    const key = medusaVersion === 2 ? { publishableApiKey: context.emulator.publishableKey } : {};
    const bridge = new Bridge({ binary, baseUrl: context.emulator.url, ...key, ...options });
    t.after(() => bridge.close());
    return bridge;
  };
  /** Queues an emulator fault (scripts/emulator/README.md: method, path, times, status | delay_ms | drop ...). */
  context.fault = (spec) => context.emulator.control('POST', 'faults', spec);
  context.requests = async () => (await context.emulator.control('GET', 'requests')).requests;
  /** v2: the reset token Medusa would have mailed to `email` (the emulator's auth.password_reset events). */
  context.resetToken = async (email) => {
    const { events } = await context.emulator.control('GET', 'events/auth.password_reset');
    return events.filter((event) => event.data.entity_id === email).at(-1)?.data.token;
  };
  /** v2: moves the emulator's clock, by which tokens expire. */
  context.advanceClock = (seconds) => context.emulator.control('POST', 'clock', { advance: seconds });
  return context;
}

module.exports = { useRealBridge, SLOW_MS };
