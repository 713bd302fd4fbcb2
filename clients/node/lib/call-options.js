'use strict';
/**
 * The per-call options `{ signal, timeout, headers, session }` (clients/PARITY.md, "Per-call
 * options"): validation, telling them apart from medusa-js's `customHeaders`, the errors an abort
 * or a timeout rejects with, and a race used while the bridge is still starting (the call's
 * deadline covers the start too).
 */

const { BridgeAbortError, BridgeTimeoutError, callPrefix } = require('./errors');
const { checkDuration, checkHeaders } = require('./options');

const CALL_OPTION_KEYS = ['signal', 'timeout', 'headers', 'session'];

/**
 * @param {unknown} options
 * @returns {{signal?: AbortSignal, timeout?: number, headers?: Record<string, string>, session?: string}}
 */
function validateCallOptions(options) {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError('call options must be an object like { signal, timeout, headers, session }');
  }
  for (const key of Object.keys(options)) {
    if (!CALL_OPTION_KEYS.includes(key)) throw new TypeError(`unknown call option ${JSON.stringify(key)}; known: ${CALL_OPTION_KEYS.join(', ')}`);
  }
  const { signal, timeout, headers, session } = options;
  if (signal !== undefined && !isAbortSignal(signal)) throw new TypeError('the signal option must be an AbortSignal');
  if (timeout !== undefined) checkDuration(timeout, 'the timeout option');
  if (headers !== undefined) checkHeaders(headers, 'the headers option');
  if (session !== undefined) checkSessionName(session);
  return { signal, timeout, headers, session };
}

/**
 * The options of calls that belong to no session and send no headers (`ping`, `sessions`,
 * `discover`, `start`, `session.clear`): `{ signal, timeout }` only.
 */
function validatePlainCallOptions(options, label) {
  const { signal, timeout, headers, session } = validateCallOptions(options);
  if (headers !== undefined || session !== undefined) throw new TypeError(`${label}: takes only the signal and timeout options`);
  return { signal, timeout };
}

/** Session names are non-empty strings (clients/PARITY.md). */
function checkSessionName(name) {
  if (typeof name !== 'string' || name === '') throw new TypeError(`a session name must be a non-empty string, not ${typeof name === 'string' ? '""' : String(name)}`);
}

/**
 * Whether the argument at medusa-js's `customHeaders` position is really the call options: only
 * when it is the last argument given and every key is a call option name (`{ signal }`,
 * `{ timeout, session }`). A header named like an option can still be sent in the `headers` option.
 */
function looksLikeCallOptions(value) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => CALL_OPTION_KEYS.includes(key));
}

/** Duck-typed so AbortSignals from other realms (vm, polyfills) are accepted. */
function isAbortSignal(value) {
  return typeof value === 'object' && value !== null && 'aborted' in value && typeof value.addEventListener === 'function';
}

/** @param {string} method @param {string|undefined} session @param {AbortSignal} signal */
function abortError(method, session, signal) {
  return new BridgeAbortError(`${callPrefix(method, session)}aborted by its signal`, { cause: signal.reason, method, session });
}

/** @param {string} method @param {string|undefined} session @param {number} timeout milliseconds */
function timeoutError(method, session, timeout) {
  return new BridgeTimeoutError(`${callPrefix(method, session)}no answer within its timeout of ${timeout} ms`, { timeout, method, session });
}

/**
 * Settles like `promise`, unless the signal aborts or `timeout` ms pass first. The promise itself
 * goes on (it is the shared start of the bridge; other calls may be waiting for it).
 * @template T
 * @param {Promise<T>} promise
 * @param {string} method
 * @param {string|undefined} session
 * @param {{signal?: AbortSignal, timeout?: number}} options
 * @returns {Promise<T>}
 */
function raceCallOptions(promise, method, session, { signal, timeout }) {
  if (!signal && timeout === undefined) return promise;
  if (signal?.aborted) return Promise.reject(abortError(method, session, signal));
  return new Promise((resolve, reject) => {
    let timer;
    const onAbort = () => finish(reject, abortError(method, session, signal));
    const finish = (settle, value) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle(value);
    };
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
    if (timeout !== undefined) timer = setTimeout(() => finish(reject, timeoutError(method, session, timeout)), timeout);
    promise.then(
      (value) => finish(resolve, value),
      (error) => finish(reject, error),
    );
  });
}

module.exports = { validateCallOptions, validatePlainCallOptions, looksLikeCallOptions, checkSessionName, abortError, timeoutError, raceCallOptions, callPrefix, CALL_OPTION_KEYS };
