'use strict';
/**
 * The wire trace: with `MEDUSA_AUTH_BRIDGE_TRACE=1`, every message to and from the bridge is
 * written to stderr as one JSON object per line, secrets redacted, so a trace can go into a bug
 * report as it is (Playwright's `DEBUG=pw:protocol` does the same). The record's shape is
 * clients/PARITY.md's, shared with the Python client:
 *   {"trace":"medusa-auth-bridge","time":"...","pid":1234,"direction":"send","message":{...}}
 * Off, it costs one boolean check per message.
 */

const TRACE_ENV = 'MEDUSA_AUTH_BRIDGE_TRACE';
/** Keys whose values never appear in a trace, at any depth, compared case-insensitively. */
const SECRET_KEYS = new Set(['password', 'token', 'access_token', 'authorization', 'cookie', 'set-cookie', 'x-publishable-api-key']);
const REDACTED = '<redacted>';

/** Whether the environment asks for a trace: any value but empty, 0, false or no. */
function traceEnabled(env = process.env) {
  const value = (env[TRACE_ENV] ?? '').trim().toLowerCase();
  return !['', '0', 'false', 'no'].includes(value);
}

/** A copy of `value` with every secret replaced. */
function redact(value) {
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value !== 'object' || value === null) return value;
  const copy = {};
  for (const [key, item] of Object.entries(value)) copy[key] = SECRET_KEYS.has(key.toLowerCase()) ? REDACTED : redact(item);
  return copy;
}

/**
 * @param {'send'|'receive'|'unmatched'} direction
 * @param {number|undefined} pid the bridge's
 * @param {unknown} message the decoded message
 * @param {{write: (text: string) => unknown}} [out]
 */
function trace(direction, pid, message, out = process.stderr) {
  const record = { trace: 'medusa-auth-bridge', time: new Date().toISOString(), pid: pid ?? null, direction, message: redact(message) };
  out.write(`${JSON.stringify(record)}\n`);
}

module.exports = { TRACE_ENV, traceEnabled, trace, redact };
