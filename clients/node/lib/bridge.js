'use strict';
/**
 * `Bridge`: the public entry point, shaped like esbuild's service (`lib/`).
 *
 * The process starts on the first call and is reused by every later one; `initialize` is its first
 * message, and a bridge speaking another protocol version is refused with a clear error. The
 * process never keeps Node alive while idle (see Connection). A bridge that dies stays dead for this
 * object: its sessions lived in that process, so silently starting a fresh one would log every
 * customer out behind the caller's back. Only a failed start (no binary, wrong version) is retried
 * by the next call, since no session state existed yet.
 */

const { Connection } = require('./connection');
const { findBinary } = require('./binary');
const { Session } = require('./session');
const { Method, PROTOCOL_VERSION } = require('./methods');
const { validateBridgeOptions, bridgeArgs, bridgeEnv } = require('./options');
const { validateCallOptions, raceCallOptions, abortError } = require('./call-options');
const { BridgeClosedError, BridgeError, BridgeTimeoutError, BridgeVersionError, InvalidParamsError } = require('./errors');
const { name: CLIENT_NAME, version: CLIENT_VERSION } = require('../package.json');

/**
 * A bridge answers `initialize` about 20 ms after spawn. Ten seconds covers a cold start on a busy
 * 2-core CI machine; an executable silent for longer is not a working bridge, and without this
 * bound a wrong binary would hang the first call forever.
 */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** The session that `bridge.auth` uses, as the bridge's default (schema: `session` param). */
const DEFAULT_SESSION = 'default';

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
  #call = (method, params, options) => this.#request(method, params, options);

  /** @param {import('..').BridgeOptions} [options] */
  constructor(options) {
    this.#options = validateBridgeOptions(options);
    /** The AuthResource of the "default" session, as `medusa.auth` in medusa-js. */
    this.auth = this.session(DEFAULT_SESSION).auth;
  }

  /** The bridge's process id while one runs (for logs and debugging). */
  get pid() {
    return this.#connection?.pid;
  }

  /** The session named `name` (created in the bridge on first use); the same object every time. */
  session(name) {
    if (typeof name !== 'string' || name === '') throw new TypeError('a session name must be a non-empty string');
    let session = this.#sessions.get(name);
    if (!session) {
      session = new Session(name, this.#call);
      this.#sessions.set(name, session);
    }
    return session;
  }

  /** Every session the bridge holds, without secrets. */
  async sessions(options) {
    const result = await this.#request(Method.sessionList, {}, options);
    return result.sessions;
  }

  /** Resolves when the bridge answers; a liveness check. */
  async ping(options) {
    await this.#request(Method.ping, {}, options);
  }

  /** The bridge's OpenRPC document (`rpc.discover`). */
  discover(options) {
    return this.#request(Method.discover, {}, options);
  }

  /** Starts the bridge now instead of on the first call; resolves to the `initialize` result. */
  async start(options) {
    await raceCallOptions(this.#connect(), Method.initialize, validateCallOptions(options));
    return this.#serverInfo;
  }

  /**
   * Ends the bridge process (stdin EOF, then SIGTERM, then SIGKILL, each wait bounded) and rejects
   * every later call with BridgeClosedError. Idempotent.
   */
  close() {
    this.#closing ??= this.#connection ? this.#connection.close() : Promise.resolve();
    return this.#closing;
  }

  /**
   * Sends at once when the bridge is running (no await before the write), so a call made before
   * close() is on the wire before close() ends stdin.
   */
  #request(method, params, options) {
    let signal, timeout;
    try {
      ({ signal, timeout } = validateCallOptions(options));
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted) return Promise.reject(abortError(method, signal));
    if (this.#live && this.#ready && !this.#closing && !this.#gone) {
      return this.#live.request(method, params, { signal, timeout });
    }
    return this.#startThenRequest(method, params, signal, timeout);
  }

  async #startThenRequest(method, params, signal, timeout) {
    const started = performance.now();
    const connection = await raceCallOptions(this.#connect(), method, { signal, timeout });
    const remaining = timeout === undefined ? undefined : Math.max(0, timeout - (performance.now() - started));
    return connection.request(method, params, { signal, timeout: remaining, totalTimeout: timeout });
  }

  #connect() {
    if (this.#closing) return Promise.reject(new BridgeClosedError('the bridge was closed'));
    if (this.#gone) {
      const { message, exitCode, signal } = this.#gone;
      return Promise.reject(new BridgeClosedError(message, { exitCode, signal, cause: this.#gone }));
    }
    this.#ready ??= this.#start();
    return this.#ready;
  }

  async #start() {
    let connection;
    let binary;
    try {
      binary = findBinary({ binary: this.#options.binary });
      connection = new Connection(binary, bridgeArgs(this.#options), {
        env: bridgeEnv(this.#options),
        onExit: (error) => this.#onExit(connection, error),
      });
      this.#connection = connection;
      const result = await connection.request(
        Method.initialize,
        { protocolVersion: PROTOCOL_VERSION, clientInfo: { name: CLIENT_NAME, version: CLIENT_VERSION } },
        { timeout: HANDSHAKE_TIMEOUT_MS },
      );
      checkHandshake(result);
      this.#serverInfo = result;
      this.#live = connection;
      return connection;
    } catch (error) {
      this.#ready = null;
      if (connection) {
        if (this.#connection === connection) this.#connection = null;
        await connection.close();
      }
      throw handshakeError(error, binary);
    }
  }

  #onExit(connection, error) {
    if (connection === this.#live && !this.#closing) this.#gone = error;
  }
}

/** Refuses a result in another protocol version, naming both (CONTRACT.md, "Handshake"). */
function checkHandshake(result) {
  const bridgeVersion = result?.protocolVersion;
  if (bridgeVersion === PROTOCOL_VERSION) return;
  throw new BridgeVersionError(
    `medusa-auth-bridge speaks protocol version ${JSON.stringify(bridgeVersion)}; this client speaks ${PROTOCOL_VERSION}`,
    { clientVersion: PROTOCOL_VERSION, bridgeVersion },
  );
}

/** Rewrites start failures into errors that say what to do. */
function handshakeError(error, binary) {
  if (error instanceof InvalidParamsError && Array.isArray(error.data?.supported)) {
    const { supported } = error.data;
    return new BridgeVersionError(
      `medusa-auth-bridge supports protocol versions ${supported.join(', ')}; this client speaks ${PROTOCOL_VERSION}`,
      { clientVersion: PROTOCOL_VERSION, supported, cause: error },
    );
  }
  if (error instanceof BridgeTimeoutError) {
    return new BridgeError(`${binary} did not answer initialize within ${HANDSHAKE_TIMEOUT_MS} ms; is it medusa-auth-bridge?`, {
      cause: error,
    });
  }
  return error;
}

if (typeof Symbol.asyncDispose === 'symbol') {
  /** `await using bridge = new Bridge()` closes the bridge at the end of the block. */
  Bridge.prototype[Symbol.asyncDispose] = function asyncDispose() {
    return this.close();
  };
}

module.exports = { Bridge, DEFAULT_SESSION, HANDSHAKE_TIMEOUT_MS, handshakeError };
