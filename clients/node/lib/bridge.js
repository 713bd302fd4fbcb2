'use strict';
/**
 * `Bridge`: the public entry point, shaped like esbuild's service (`lib/`).
 *
 * The process starts on the first call and is reused by every later one; `initialize` is its first
 * message, and an executable that does not answer it like a bridge of our protocol version is
 * refused with an error saying so. The process never keeps Node alive while idle (see Connection).
 * A bridge that dies stays dead for this object: its sessions lived in that process, so silently
 * starting a fresh one would log every customer out behind the caller's back. Only a failed start
 * (no binary, not a bridge, wrong version) is retried by the next call, since no session state
 * existed yet.
 */

const { Connection } = require('./connection');
const { findBinary } = require('./binary');
const { Session } = require('./session');
const { DEFAULT_SESSION } = require('./resources');
const { Method, PROTOCOL_VERSION } = require('./methods');
const { validateBridgeOptions, bridgeArgs, bridgeEnv } = require('./options');
const { validatePlainCallOptions, checkSessionName, raceCallOptions, abortError } = require('./call-options');
const {
  BridgeClosedError, BridgeStartError, BridgeTimeoutError, BridgeVersionError, CancelledError, ErrorCode, InvalidParamsError, callPrefix,
} = require('./errors');
const { name: CLIENT_NAME, version: CLIENT_VERSION } = require('../package.json');

class Bridge {
  #options;
  /** The process spawned last; null before the first call and after a failed start. */
  #connection = null;
  /** The handshake of #connection, shared by every call made while it runs. */
  #ready = null;
  /** The connection that finished its handshake: only its death makes this Bridge unusable. */
  #live = null;
  #serverInfo = null;
  /** close()'s promise, once called; from then on every call rejects with BridgeClosedError. */
  #closing = null;
  /** Why the live bridge died, when it did so unexpectedly. */
  #gone = null;
  #sessions = new Map();
  #send = (method, params, options) => this.#request(method, params, options);

  /** @param {import('..').BridgeOptions} [options] */
  constructor(options) {
    this.#options = validateBridgeOptions(options);
    const defaultSession = this.session(DEFAULT_SESSION);
    /** The default session's methods: medusa-js's `medusa.auth` (v1) and js-sdk's `sdk.auth` (v2). */
    this.auth = defaultSession.auth;
    /** js-sdk's `sdk.store` (`store.customer`) in the default session. */
    this.store = defaultSession.store;
  }

  /** The bridge's process id while one runs (for logs and debugging). */
  get pid() {
    return this.#connection && !this.#connection.exited ? this.#connection.pid : undefined;
  }

  /** The exit status of the last bridge process once it has ended, else null. */
  get exitCode() {
    return this.#connection?.exitCode ?? null;
  }

  /** The signal (by name) that ended the last bridge process, else null. */
  get signal() {
    return this.#connection?.signal ?? null;
  }

  /** The session named `name` (created in the bridge on first use); the same object every time. */
  session(name) {
    checkSessionName(name);
    let session = this.#sessions.get(name);
    if (!session) {
      session = new Session(name, this.#send);
      this.#sessions.set(name, session);
    }
    return session;
  }

  /** Every session the bridge holds, without secrets. */
  async sessions(options) {
    const result = await this.#request(Method.sessionList, {}, validatePlainCallOptions(options, Method.sessionList));
    return result.sessions;
  }

  /** Resolves (to undefined) when the bridge answers; a liveness check. */
  async ping(options) {
    await this.#request(Method.ping, {}, validatePlainCallOptions(options, Method.ping));
  }

  /** The bridge's OpenRPC document (`rpc.discover`). */
  async discover(options) {
    return this.#request(Method.discover, {}, validatePlainCallOptions(options, Method.discover));
  }

  /** Starts the bridge now instead of on the first call; resolves to the `initialize` result. */
  async start(options) {
    // Checked before #connect: a refused option must not spawn the bridge.
    const checked = validatePlainCallOptions(options, Method.initialize);
    await raceCallOptions(this.#connect(Method.initialize), Method.initialize, undefined, checked);
    return this.#serverInfo;
  }

  /**
   * Ends the bridge process: pending calls are cancelled (CancelledError), then stdin EOF, SIGTERM
   * and SIGKILL, each wait bounded (`exitTimeout`, `terminateTimeout`, `killTimeout`). Every later
   * call rejects with BridgeClosedError. Idempotent.
   */
  close() {
    this.#closing ??= this.#connection ? this.#connection.close(this.#options) : Promise.resolve();
    return this.#closing;
  }

  /**
   * Sends at once when the bridge is running (no await before the write), so a call made before
   * close() is on the wire before close() cancels it and ends stdin.
   * @param {{signal?: AbortSignal, timeout?: number, session?: string}} options validated
   */
  #request(method, params, { signal, timeout, session }) {
    if (signal?.aborted) return Promise.reject(abortError(method, session, signal));
    if (this.#live && this.#ready && !this.#closing && !this.#gone) {
      return this.#live.request(method, params, { signal, timeout, session });
    }
    return this.#startThenRequest(method, params, signal, timeout, session);
  }

  async #startThenRequest(method, params, signal, timeout, session) {
    const started = performance.now();
    const connection = await raceCallOptions(this.#connect(method, session), method, session, { signal, timeout });
    // close() may have come between the handshake's end and this continuation.
    if (this.#closing) throw cancelledWhileStarting(method, session);
    const remaining = timeout === undefined ? undefined : Math.max(1, timeout - (performance.now() - started));
    return connection.request(method, params, { signal, timeout: remaining, totalTimeout: timeout, session });
  }

  /**
   * The running bridge, started if need be; `method` and `session` name the call in errors. A call
   * waiting for the start is pending like any other, so close() during the start cancels it
   * (clients/PARITY.md, close() step 1), also when the handshake's answer wins the race with the
   * cancel: the bridge answers `initialize` at once, so it usually does.
   */
  #connect(method, session) {
    if (this.#closing) return Promise.reject(new BridgeClosedError(`${callPrefix(method, session)}the bridge was closed`, { method, session }));
    if (this.#gone) {
      const { message, exitCode, signal, stderr } = this.#gone;
      return Promise.reject(new BridgeClosedError(`${callPrefix(method, session)}${message}`, { exitCode, signal, stderr, cause: this.#gone, method, session }));
    }
    this.#ready ??= this.#start();
    return this.#ready.then(
      (connection) => {
        if (this.#closing) throw cancelledWhileStarting(method, session);
        return connection;
      },
      (error) => {
        throw this.#closing && error instanceof CancelledError ? cancelledWhileStarting(method, session, error.cause) : error;
      },
    );
  }

  async #start() {
    let connection;
    let binary;
    try {
      binary = findBinary({ binary: this.#options.binary });
      connection = new Connection(binary, bridgeArgs(this.#options), {
        env: bridgeEnv(this.#options),
        stderr: this.#options.stderr,
        onExit: (error) => this.#onExit(connection, error),
      });
      this.#connection = connection;
      const result = await connection.request(
        Method.initialize,
        { protocolVersion: PROTOCOL_VERSION, clientInfo: { name: CLIENT_NAME, version: CLIENT_VERSION } },
        { timeout: this.#options.handshakeTimeout },
      );
      checkHandshake(result, binary);
      // close() came while the handshake ran: the start is cancelled, not handed to the waiting calls.
      if (this.#closing) throw cancelledWhileStarting();
      this.#serverInfo = result;
      this.#live = connection;
      return connection;
    } catch (error) {
      this.#ready = null;
      // A call waiting for the start is pending like any other: close() cancels it (clients/PARITY.md).
      // #connect names each waiting call in the error; close() stops the process.
      if (this.#closing) throw error instanceof CancelledError ? error : cancelledWhileStarting(undefined, undefined, error);
      if (connection) {
        // A start that failed has nothing in flight worth waiting for.
        await connection.close({ ...this.#options, exitTimeout: Math.min(this.#options.exitTimeout, 1000) });
      }
      throw handshakeError(error, binary, connection, this.#options.handshakeTimeout);
    }
  }

  #onExit(connection, error) {
    if (connection === this.#live && !this.#closing) this.#gone = error;
  }
}

/** The CancelledError of a call (or `start()`) still waiting for the bridge's start when close() came. */
function cancelledWhileStarting(method, session, cause) {
  return new CancelledError(`${callPrefix(method, session)}cancelled because the bridge was closed while it was starting`, {
    code: ErrorCode.REQUEST_CANCELLED,
    cause,
    method,
    session,
  });
}

/** Refuses an answer that is not a bridge's, or one in another protocol version, naming both. */
function checkHandshake(result, binary) {
  if (typeof result !== 'object' || result === null || typeof result.serverInfo !== 'object') {
    throw new BridgeStartError(`${binary} is not medusa-auth-bridge: its answer to initialize has no serverInfo`, { binary });
  }
  const bridgeVersion = result.protocolVersion;
  if (bridgeVersion === PROTOCOL_VERSION) return;
  throw new BridgeVersionError(
    `medusa-auth-bridge speaks protocol version ${JSON.stringify(bridgeVersion)}; this client speaks ${PROTOCOL_VERSION}`,
    { clientVersion: PROTOCOL_VERSION, bridgeVersion },
  );
}

/**
 * Rewrites start failures into errors that say what happened (clients/PARITY.md): a refused
 * protocol version, a binary that stayed silent, or one that exited before answering, with the last
 * line of its stderr when it wrote one (a bridge refusing an option says why there).
 */
function handshakeError(error, binary, connection, handshakeTimeout) {
  if (error instanceof BridgeStartError) return error;
  if (error instanceof InvalidParamsError && Array.isArray(error.data?.supported)) {
    const { supported } = error.data;
    return new BridgeVersionError(
      `medusa-auth-bridge supports protocol versions ${supported.join(', ')}; this client speaks ${PROTOCOL_VERSION}`,
      { clientVersion: PROTOCOL_VERSION, supported, cause: error },
    );
  }
  const ended = { exitCode: connection?.exitCode ?? null, signal: connection?.signal ?? null, stderr: connection?.stderr ?? null, binary, cause: error };
  if (error instanceof BridgeTimeoutError) {
    return new BridgeStartError(`${binary} is not medusa-auth-bridge: it did not answer initialize within ${handshakeTimeout} ms`, ended);
  }
  if (error instanceof BridgeClosedError && connection && error.cause) {
    return new BridgeStartError(`${binary} could not be run: ${error.cause.message}`, ended);
  }
  if (error instanceof BridgeClosedError && connection) {
    const how = ended.signal ? `was killed by ${ended.signal}` : `exited with status ${ended.exitCode}`;
    const line = connection.stderrLastLine;
    const message = line ? `${binary} ${how} without answering initialize: ${line}` : `${binary} is not medusa-auth-bridge: it ${how} without answering initialize`;
    return new BridgeStartError(message, ended);
  }
  return error;
}

if (typeof Symbol.asyncDispose === 'symbol') {
  /** `await using bridge = new Bridge()` closes the bridge at the end of the block. */
  Bridge.prototype[Symbol.asyncDispose] = function asyncDispose() {
    return this.close();
  };
}

module.exports = { Bridge, handshakeError };
