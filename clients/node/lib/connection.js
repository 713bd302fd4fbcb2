'use strict';
/**
 * One running bridge process and the JSON-RPC traffic over its stdin/stdout.
 *
 * This layer knows requests, ids and the child's lifetime; it knows nothing of Medusa. All state
 * below is touched only from the Node event loop (a single thread), so no locking is needed; the
 * invariants are written next to the fields they guard.
 */

const { spawn } = require('node:child_process');
const { LineSplitter } = require('./line-splitter');
const { StderrTail } = require('./stderr-tail');
const { BridgeClosedError, BridgeStartError, CancelledError, ErrorCode, errorFromWire } = require('./errors');
const { whyItCannotRun } = require('./elf');
const { abortError, timeoutError, callPrefix } = require('./call-options');
const { traceEnabled, trace } = require('./trace');
const { Method } = require('./methods');

/** What a pending call cancelled by close() rejects with, unless the bridge answered it first. */
const CLOSED_WHILE_PENDING = 'cancelled because the bridge was closed';

class Connection {
  #child;
  /** id -> {method, session, resolve, reject, timer, signal, onAbort, closing}; each holds one ref. */
  #pending = new Map();
  /** Ids answered to the caller already (aborted or timed out) whose late answer is dropped. */
  #abandoned = new Set();
  #nextId = 1;
  /** Number of pending calls; the child and its pipes are ref'd exactly while this is > 0. */
  #holds = 0;
  /** Set once no new request may be sent (closing or exited); new calls reject with it. */
  #refusal = null;
  #exited = false;
  #exitCode = null;
  #signal = null;
  #exitPromise;
  #resolveExit;
  #shutdown = null;
  #onExit;
  #stderr;
  #trace;

  /**
   * @param {string} binary
   * @param {string[]} args
   * @param {{env: NodeJS.ProcessEnv, stderr?: 'inherit'|'ignore'|import('node:stream').Writable,
   *   onExit?: (error: BridgeClosedError) => void}} options
   */
  constructor(binary, args, { env, stderr = 'inherit', onExit }) {
    this.#onExit = onExit;
    this.#trace = traceEnabled();
    this.#stderr = new StderrTail(stderr);
    this.#exitPromise = new Promise((resolve) => (this.#resolveExit = resolve));
    // detached: the bridge gets its own process group, so a terminal's Ctrl-C (SIGINT to the
    // foreground group) reaches only Node; the bridge then ends when its stdin closes, after
    // reading every $/cancelRequest the client sent on the way out.
    // A binary that cannot run here (another architecture, no loader, too old a glibc) is refused
    // with the reason, before spawn turns it into a shell syntax error or an ENOENT (lib/elf.js).
    const reason = whyItCannotRun(binary);
    if (reason !== null) throw new BridgeStartError(`${binary} ${reason}`, { binary });
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], env, detached: true, windowsHide: true });
    this.#child = child;
    const splitter = new LineSplitter((line) => this.#onLine(line));
    child.stdout.on('data', (chunk) => splitter.push(chunk));
    child.stdout.on('end', () => splitter.end());
    child.stderr.on('data', (chunk) => this.#stderr.push(chunk));
    child.stderr.on('end', () => this.#stderr.end());
    // EPIPE and the like once the bridge is gone; the child's 'close' event reports the exit.
    child.stdin.on('error', () => {});
    child.stdout.on('error', () => {});
    child.stderr.on('error', () => {});
    child.on('error', (error) => {
      if (child.pid === undefined) this.#exit(null, null, error);
    });
    // 'close' (not 'exit') comes after stdout and stderr have ended, so every answer written
    // before the exit has been delivered, and the stderr tail is complete, before calls fail.
    child.on('close', (code, signal) => this.#exit(code, signal));
    this.#setRef(false);
  }

  /** The bridge's process id (undefined if it could not be spawned). */
  get pid() {
    return this.#child.pid;
  }

  /** The exit status once the process has exited by itself; null otherwise. */
  get exitCode() {
    return this.#exitCode;
  }

  /** The signal (a name such as 'SIGKILL') that ended the process, or null. */
  get signal() {
    return this.#signal;
  }

  get exited() {
    return this.#exited;
  }

  /** The last lines of the bridge's stderr, or null. */
  get stderr() {
    return this.#stderr.text();
  }

  /** The last line of the bridge's stderr, or null. */
  get stderrLastLine() {
    return this.#stderr.lastLine();
  }

  /**
   * Sends one request and settles with its result, or rejects with the mapped error.
   * @param {string} method
   * @param {object} params
   * @param {{signal?: AbortSignal, timeout?: number, totalTimeout?: number, session?: string}} [options]
   *   `timeout` is what is left of the caller's `totalTimeout` (named in the error) once the
   *   bridge had started; `session` only names the call in errors
   */
  request(method, params, { signal, timeout, totalTimeout = timeout, session } = {}) {
    if (this.#refusal) return Promise.reject(this.#closedError(method, session, this.#refusal));
    if (signal?.aborted) return Promise.reject(abortError(method, session, signal));
    const id = this.#nextId++;
    const message = { jsonrpc: '2.0', id, method, params };
    let line;
    try {
      line = JSON.stringify(message) + '\n';
    } catch (error) {
      return Promise.reject(new TypeError(`${callPrefix(method, session)}params cannot be sent as JSON: ${error.message}`));
    }
    return new Promise((resolve, reject) => {
      const entry = { method, session, resolve, reject, timer: undefined, signal, onAbort: undefined, closing: false };
      this.#pending.set(id, entry);
      this.#hold();
      if (signal) {
        entry.onAbort = () => this.#abandon(id, abortError(method, session, signal));
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      if (timeout !== undefined) {
        entry.timer = setTimeout(() => this.#abandon(id, timeoutError(method, session, totalTimeout)), timeout);
      }
      this.#write(line, message);
    });
  }

  /**
   * Ends the bridge: every pending call is cancelled with $/cancelRequest (and rejects with
   * CancelledError unless its real answer comes first), stdin is closed, then each step waits, bounded:
   * `exitTimeout` for the bridge to exit by itself, SIGTERM and `terminateTimeout`, SIGKILL and
   * `killTimeout`. Idempotent: every caller gets the same promise.
   * @param {{exitTimeout: number, terminateTimeout: number, killTimeout: number}} timeouts milliseconds
   */
  close(timeouts) {
    this.#shutdown ??= this.#runShutdown(timeouts);
    return this.#shutdown;
  }

  async #runShutdown({ exitTimeout, terminateTimeout, killTimeout }) {
    this.#refusal ??= 'the bridge was closed';
    if (this.#exited) return;
    // Ref'd while closing, so close() is awaited to the end even with nothing else to do.
    this.#setRef(true);
    for (const [id, entry] of this.#pending) {
      entry.closing = true;
      this.#sendCancel(id);
    }
    this.#child.stdin.end();
    if (await this.#waitForExit(exitTimeout)) return;
    this.#kill('SIGTERM');
    if (await this.#waitForExit(terminateTimeout)) return;
    this.#kill('SIGKILL');
    await this.#waitForExit(killTimeout);
  }

  #kill(signal) {
    try {
      this.#child.kill(signal);
    } catch {
      // Already gone: 'close' is on its way.
    }
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

  #write(line, message) {
    const { stdin } = this.#child;
    if (!stdin.writable) return;
    if (this.#trace) trace('send', this.pid, message);
    stdin.write(line);
  }

  #sendCancel(id) {
    if (this.#exited) return;
    const message = { jsonrpc: '2.0', method: Method.cancelRequest, params: { id } };
    this.#write(JSON.stringify(message) + '\n', message);
  }

  /** The caller stops waiting at once; the bridge is told to stop work, and its answer is dropped. */
  #abandon(id, error) {
    const entry = this.#settle(id);
    if (!entry) return;
    this.#abandoned.add(id);
    this.#sendCancel(id);
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
    // Only a response answers a call: an object with an id and a result or an error, and no method
    // (a program that echoes our own requests back is not answering them).
    const isResponse =
      typeof message === 'object' && message !== null && !Array.isArray(message) && 'id' in message && !('method' in message) && ('result' in message || 'error' in message);
    if (!isResponse) {
      if (this.#trace) trace('unmatched', this.pid, message);
      warn('ignored a message from the bridge that is not a response to a request');
      return;
    }
    const { id } = message;
    if (this.#abandoned.delete(id)) {
      if (this.#trace) trace('unmatched', this.pid, message);
      return;
    }
    const entry = this.#settle(id);
    if (!entry) {
      if (this.#trace) trace('unmatched', this.pid, message);
      warn(`ignored a response with an unknown id ${JSON.stringify(id)}`);
      return;
    }
    if (this.#trace) trace('receive', this.pid, message);
    if (!('error' in message)) return entry.resolve(message.result);
    if (entry.closing && message.error?.code === ErrorCode.REQUEST_CANCELLED) return entry.reject(this.#cancelledByClose(entry));
    entry.reject(errorFromWire(message.error, entry.method, entry.session));
  }

  #cancelledByClose(entry) {
    return new CancelledError(`${callPrefix(entry.method, entry.session)}${CLOSED_WHILE_PENDING}`, {
      code: ErrorCode.REQUEST_CANCELLED,
      method: entry.method,
      session: entry.session,
    });
  }

  #exit(code, signal, cause) {
    if (this.#exited) return;
    this.#exited = true;
    this.#exitCode = code;
    this.#signal = signal;
    const reason = this.#shutdown
      ? 'the bridge was closed before answering'
      : cause
        ? `medusa-auth-bridge could not be started: ${cause.message}`
        : `medusa-auth-bridge exited unexpectedly (${signal ? `signal ${signal}` : `exit status ${code}`})`;
    this.#refusal ??= reason;
    const details = { cause, exitCode: code, signal, stderr: this.stderr };
    for (const [id, entry] of [...this.#pending]) {
      this.#settle(id);
      entry.reject(entry.closing ? this.#cancelledByClose(entry) : this.#closedError(entry.method, entry.session, reason, details));
    }
    this.#abandoned.clear();
    this.#resolveExit();
    this.#onExit?.(this.#closedError(undefined, undefined, reason, details));
  }

  #closedError(method, session, reason, details = {}) {
    return new BridgeClosedError(`${callPrefix(method, session)}${reason}`, { ...details, method, session });
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
    for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.[method]?.();
  }
}

function warn(message) {
  process.emitWarning(message, 'MedusaAuthBridgeWarning');
}

module.exports = { Connection };
