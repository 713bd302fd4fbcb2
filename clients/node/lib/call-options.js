'use strict';
/**
 * The per-call `{ signal, timeout }` options: validation, the errors they reject with, and a race
 * used while the bridge is still starting (the call's deadline covers the start too).
 */

const { BridgeAbortError, BridgeTimeoutError } = require('./errors');

/**
 * @param {unknown} options
 * @returns {{signal?: AbortSignal, timeout?: number}}
 */
function validateCallOptions(options) {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object') throw new TypeError('call options must be an object like { signal, timeout }');
  const { signal, timeout } = options;
  if (signal !== undefined && !isAbortSignal(signal)) throw new TypeError('options.signal must be an AbortSignal');
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout >= 0 && Number.isFinite(timeout))) {
    throw new TypeError('options.timeout must be a finite number of milliseconds >= 0');
  }
  return { signal, timeout };
}

/** Duck-typed so AbortSignals from other realms (vm, polyfills) are accepted. */
function isAbortSignal(value) {
  return typeof value === 'object' && value !== null && 'aborted' in value && typeof value.addEventListener === 'function';
}

/** @param {string} method @param {AbortSignal} signal */
function abortError(method, signal) {
  return new BridgeAbortError(`${method} was aborted`, { cause: signal.reason });
}

/** @param {string} method @param {number} timeout milliseconds */
function timeoutError(method, timeout) {
  return new BridgeTimeoutError(`${method} did not finish within ${timeout} ms`, { timeout });
}

/**
 * Settles like `promise`, unless the signal aborts or `timeout` ms pass first. The promise itself
 * goes on (it is the shared start of the bridge; other calls may be waiting for it).
 * @template T
 * @param {Promise<T>} promise
 * @param {string} method
 * @param {{signal?: AbortSignal, timeout?: number}} options
 * @returns {Promise<T>}
 */
function raceCallOptions(promise, method, { signal, timeout }) {
  if (!signal && timeout === undefined) return promise;
  if (signal?.aborted) return Promise.reject(abortError(method, signal));
  return new Promise((resolve, reject) => {
    let timer;
    const onAbort = () => finish(reject, abortError(method, signal));
    const finish = (settle, value) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle(value);
    };
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
    if (timeout !== undefined) timer = setTimeout(() => finish(reject, timeoutError(method, timeout)), timeout);
    promise.then(
      (value) => finish(resolve, value),
      (error) => finish(reject, error),
    );
  });
}

module.exports = { validateCallOptions, abortError, timeoutError, raceCallOptions };
