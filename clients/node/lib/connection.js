'use strict';
/**
 * One running bridge process and the JSON-RPC traffic over its stdin/stdout.
 *
 * This layer knows requests, ids and the child's lifetime; it knows nothing of Medusa or sessions.
 * All state below is touched only from the Node event loop (a single thread), so no locking is
 * needed; the invariants are written next to the fields they guard.
 */

const { spawn } = require('node:child_process');
const { LineSplitter } = require('./line-splitter');
const { BridgeClosedError, errorFromWire } = require('./errors');
const { abortError, timeoutError } = require('./call-options');
const { Method } = require('./methods');

// Shutdown in a fixed order, each step bounded (STDIO-NOTES.md, "Shutdown"; the python-sdk's order).

/**
 * After stdin closes, the bridge finishes the requests in flight and exits (about 5 ms when idle).
 * Two seconds lets a short in-flight Medusa call finish on a loaded 2-core machine while keeping
 * close() from hanging a test run on a bridge that ignores EOF.
 */
const STDIN_EOF_GRACE_MS = 2000;
/**
 * The bridge drains and exits on SIGTERM within its own short grace period; two seconds is above
 * that, so SIGKILL only hits a bridge that is truly stuck.
 */
const SIGTERM_GRACE_MS = 2000;
/**
 * SIGKILL cannot be caught, so the exit is immediate; this bound only protects close() from never
 * seeing 'close' (e.g. a grandchild still holding our stdout pipe open).
 */
const SIGKILL_WAIT_MS = 1000;

class Connection {
  #child;
  /** id -> {method, resolve, reject, timer, signal, onAbort}; every entry holds one ref (#holds). */
  #pending = new Map();
  /** Ids answered to the caller already (aborted or timed out) whose late answer is dropped. */
  #abandoned = new Set();
  #nextId = 1;
  /** Number of pending calls; the child and its pipes are ref'd exactly while this is > 0. */
  #holds = 0;
  /** Set once no new request may be sent (closing or exited); new calls reject with a copy. */
  #refusal = null;
  #exited = false;
  #exitPromise;
  #resolveExit;
  #shutdown = null;
  #onExit;

  /**
   * @param {string} binary
   * @param {string[]} args
   * @param {{env: NodeJS.ProcessEnv, onExit?: (error: BridgeClosedError) => void}} options
   */
  constructor(binary, args, { env, onExit }) {
    this.#onExit = onExit;
    this.#exitPromise = new Promise((resolve) => (this.#resolveExit = resolve));
    // stderr is inherited: the bridge's logs reach the user, and an unread pipe can never fill up
    // and stall the bridge (STDIO-NOTES.md, "Deadlock on a full pipe").
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'inherit'], env, windowsHide: true });
    this.#child = child;
    const splitter = new LineSplitter((line) => this.#onLine(line));
    child.stdout.on('data', (chunk) => splitter.push(chunk));
    child.stdout.on('end', () => splitter.end());
    // EPIPE and the like once the bridge is gone; the child's 'close' event reports the exit.
    child.stdin.on('error', () => {});
    child.stdout.on('error', () => {});
    child.on('error', (error) => {
      if (child.pid === undefined) this.#exit(null, null, error);
    });
    // 'close' (not 'exit') comes after stdout has ended, so every answer written before the exit
    // has been delivered before the remaining calls are failed.
    child.on('close', (code, signal) => this.#exit(code, signal));
    this.#setRef(false);
  }

  /** The bridge's process id (undefined if it could not be spawned). */
  get pid() {
    return this.#child.pid;
  }

  /**
   * Sends one request and settles with its result, or rejects with the mapped error.
   * @param {string} method
   * @param {object} params
   * @param {{signal?: AbortSignal, timeout?: number, totalTimeout?: number}} [options] `timeout` is
   *   what is left of the caller's `totalTimeout` (named in the error) once the bridge had started
   */
  request(method, params, { signal, timeout, totalTimeout = timeout } = {}) {
    if (this.#refusal) return Promise.reject(this.#closedError(method, this.#refusal));
    if (signal?.aborted) return Promise.reject(abortError(method, signal));
    const id = this.#nextId++;
    let line;
    try {
      line = JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n';
    } catch (error) {
      return Promise.reject(new TypeError(`${method}: params cannot be sent as JSON: ${error.message}`));
    }
    return new Promise((resolve, reject) => {
      const entry = { method, resolve, reject, timer: undefined, signal, onAbort: undefined };
      this.#pending.set(id, entry);
      this.#hold();
      if (signal) {
        entry.onAbort = () => this.#abandon(id, abortError(method, signal));
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      if (timeout !== undefined) {
        entry.timer = setTimeout(() => this.#abandon(id, timeoutError(method, totalTimeout)), timeout);
      }
      this.#write(line);
    });
  }

  /**
   * Ends the bridge: stdin EOF, bounded wait, SIGTERM, bounded wait, SIGKILL, bounded wait.
   * Calls in flight may still be answered during the first wait; the rest reject with
   * BridgeClosedError. Idempotent: every caller gets the same promise.
   */
  close() {
    this.#shutdown ??= this.#runShutdown();
    return this.#shutdown;
  }

  async #runShutdown() {
    this.#refusal ??= 'the bridge was closed';
    if (this.#exited) return;
    // Ref'd while closing, so close() is awaited to the end even with nothing else to do.
    this.#setRef(true);
    this.#child.stdin.end();
    if (await this.#waitForExit(STDIN_EOF_GRACE_MS)) return;
    this.#child.kill('SIGTERM');
    if (await this.#waitForExit(SIGTERM_GRACE_MS)) return;
    this.#child.kill('SIGKILL');
    await this.#waitForExit(SIGKILL_WAIT_MS);
  }

  /** Resolves true once the child has closed, false after `ms`. */
  async #waitForExit(ms) {
    let timer;
    const timeout = new Promise((resolve) => (timer = setTimeout(resolve, ms, false)));
    try {
      return await Promise.race([this.#exitPromise.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #write(line) {
    const { stdin } = this.#child;
    if (stdin.writable) stdin.write(line);
  }

  /** The caller stops waiting at once; the bridge is told to stop work, and its answer is dropped. */
  #abandon(id, error) {
    const entry = this.#settle(id);
    if (!entry) return;
    this.#abandoned.add(id);
    if (!this.#exited) this.#write(JSON.stringify({ jsonrpc: '2.0', method: Method.cancelRequest, params: { id } }) + '\n');
    entry.reject(error);
  }

  /** Removes a pending entry and everything it holds (timer, abort listener, ref). */
  #settle(id) {
    const entry = this.#pending.get(id);
    if (!entry) return undefined;
    this.#pending.delete(id);
    clearTimeout(entry.timer);
    entry.signal?.removeEventListener('abort', entry.onAbort);
    this.#release();
    return entry;
  }

  /** @param {Buffer} buffer one complete line from the bridge's stdout */
  #onLine(buffer) {
    let message;
    try {
      message = JSON.parse(buffer.toString('utf8'));
    } catch {
      warn(`ignored a line on the bridge's stdout that is not JSON (${buffer.length} bytes)`);
      return;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message) || !('id' in message)) {
      warn('ignored a message from the bridge that is not a response to a request');
      return;
    }
    const { id } = message;
    if (this.#abandoned.delete(id)) return;
    const entry = this.#settle(id);
    if (!entry) {
      warn(`ignored a response with an unknown id ${JSON.stringify(id)}`);
      return;
    }
    if ('error' in message) entry.reject(errorFromWire(message.error, entry.method));
    else entry.resolve(message.result);
  }

  #exit(code, signal, cause) {
    if (this.#exited) return;
    this.#exited = true;
    const reason = this.#shutdown
      ? 'the bridge was closed before answering'
      : cause
        ? `medusa-auth-bridge could not be started: ${cause.message}`
        : `medusa-auth-bridge exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})`;
    this.#refusal ??= reason;
    const details = { cause, exitCode: code, signal };
    for (const [id, entry] of [...this.#pending]) {
      this.#settle(id);
      entry.reject(this.#closedError(entry.method, reason, details));
    }
    this.#abandoned.clear();
    this.#resolveExit();
    this.#onExit?.(this.#closedError(undefined, reason, details));
  }

  #closedError(method, reason, details = {}) {
    return new BridgeClosedError(method ? `${method}: ${reason}` : reason, details);
  }

  #hold() {
    if (this.#holds++ === 0) this.#setRef(true);
  }

  #release() {
    if (--this.#holds === 0 && !this.#shutdown) this.#setRef(false);
  }

  /** An idle bridge must never keep Node alive; a pending call must (esbuild's service does the same). */
  #setRef(on) {
    const method = on ? 'ref' : 'unref';
    const child = this.#child;
    child[method]();
    child.stdin?.[method]?.();
    child.stdout?.[method]?.();
  }
}

function warn(message) {
  process.emitWarning(message, 'MedusaAuthBridgeWarning');
}

module.exports = { Connection, STDIN_EOF_GRACE_MS, SIGTERM_GRACE_MS, SIGKILL_WAIT_MS };
