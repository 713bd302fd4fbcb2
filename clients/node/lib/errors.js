'use strict';
/**
 * The error classes and the one table that maps JSON-RPC error codes onto them.
 *
 * The names and the hierarchy are the same as the Python client's, so a harness reads the same in
 * either language (clients/PARITY.md, "Errors"; the codes are schema/openrpc.json's). Errors that the bridge sends keep
 * the wire `code` (a number) and `data` untouched; client-side errors (closed, not found, version,
 * abort, timeout) are raised by this package itself.
 */

/** JSON-RPC error codes, as named constants (JSON-RPC 2.0 section 5.1 and schema/openrpc.json). */
const ErrorCode = Object.freeze({
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  MEDUSA_HTTP_ERROR: -32001,
  MEDUSA_UNREACHABLE: -32002,
  MEDUSA_BAD_RESPONSE: -32003,
  REQUEST_CANCELLED: -32800,
});

/** Base of every error this package throws; also the class of a wire error with an unknown code. */
class BridgeError extends Error {
  /**
   * @param {string} message
   * @param {{code?: number|string, data?: unknown, cause?: unknown, method?: string, session?: string}} [options]
   */
  constructor(message, options = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    /** The JSON-RPC error code for errors the bridge sent; undefined for the client's own. */
    this.code = options.code;
    /** The error's `data` as the bridge sent it. */
    this.data = options.data;
    /** The wire method of the call that failed (`auth.getSession`), when the error belongs to one. */
    this.method = options.method;
    /** The session of that call (`default` for `bridge.auth`), when the method has one. */
    this.session = options.session;
    /** The step that failed, from the bridge's data: `auth.signup`'s `register`, `create` or `login`, or `session` (a
     * session-mode login, callback or refresh whose token could not be exchanged for Medusa's session cookie). */
    this.step = options.step ?? (isObject(options.data) && typeof options.data.step === 'string' ? options.data.step : undefined);
  }
}

/** The bridge rejected the JSON-RPC message itself: a client bug, never a Medusa answer. */
class ProtocolError extends BridgeError {}
class ParseError extends ProtocolError {}
class InvalidRequestError extends ProtocolError {}
class MethodNotFoundError extends ProtocolError {}
/** -32602: `data.field` names the offending param when the bridge knows it. */
class InvalidParamsError extends ProtocolError {
  constructor(message, options = {}) {
    super(message, options);
    this.field = isObject(options.data) && typeof options.data.field === 'string' ? options.data.field : undefined;
  }
}
class InternalError extends ProtocolError {}

/** -32001: Medusa answered with a non-2xx status; `data` is `{status, type?, message?, code?, body?, hint?, location?}`. */
class MedusaError extends BridgeError {
  constructor(message, options = {}) {
    super(message, options);
    const data = isObject(options.data) ? options.data : {};
    /** The HTTP status Medusa answered with. */
    this.status = typeof data.status === 'number' ? data.status : undefined;
    /** Medusa's error `type` (e.g. "invalid_data") when the body was Medusa's JSON error. */
    this.type = typeof data.type === 'string' ? data.type : undefined;
    /** Medusa's error `message`, named apart from Error#message. */
    this.medusaMessage = typeof data.message === 'string' ? data.message : undefined;
    /** Medusa's error `code` (a string), named apart from the JSON-RPC `code`. */
    this.medusaCode = typeof data.code === 'string' ? data.code : undefined;
    /** The body text when it was not Medusa's JSON error (e.g. "Unauthorized"). */
    this.body = typeof data.body === 'string' ? data.body : undefined;
    /** The bridge's advice when the backend looks like the other Medusa version (v1 or v2). */
    this.hint = typeof data.hint === 'string' ? data.hint : undefined;
    /** A redirect's target (3xx), which the bridge never follows. */
    this.location = typeof data.location === 'string' ? data.location : undefined;
  }
}
/** A MedusaError with status 401: wrong credentials, or no session. */
class UnauthorizedError extends MedusaError {}
/** A MedusaError with status 404. */
class NotFoundError extends MedusaError {}

/** -32002: no answer from Medusa after every retry (unreachable, or no complete answer to a request it received); `reason` is refused|timeout|dns|tls|other. */
class BridgeUnreachableError extends BridgeError {
  constructor(message, options = {}) {
    super(message, options);
    const data = isObject(options.data) ? options.data : {};
    this.reason = typeof data.reason === 'string' ? data.reason : undefined;
    this.attempts = typeof data.attempts === 'number' ? data.attempts : undefined;
    this.detail = typeof data.detail === 'string' ? data.detail : undefined;
  }
}

/** -32003: a bad answer: a 2xx body that is not the JSON expected or is too long, or broken framing (`detail` names the fault). */
class BadResponseError extends BridgeError {
  constructor(message, options = {}) {
    super(message, options);
    const data = isObject(options.data) ? options.data : {};
    this.status = typeof data.status === 'number' ? data.status : undefined;
    this.body = typeof data.body === 'string' ? data.body : undefined;
    /** Broken framing: what broke it (e.g. several Content-Length values that differ). */
    this.detail = typeof data.detail === 'string' ? data.detail : undefined;
  }
}

/** -32800: the bridge abandoned the request (this client never surfaces its own cancellations so). */
class CancelledError extends BridgeError {}

/** The bridge process is gone (it exited, or close() was called); every pending call gets this. */
class BridgeClosedError extends BridgeError {
  /**
   * @param {string} message
   * @param {{exitCode?: number|null, signal?: string|null, stderr?: string|null, cause?: unknown,
   *   method?: string, session?: string}} [options]
   */
  constructor(message, options = {}) {
    super(message, options);
    /** The bridge's exit status, or null (killed by a signal, or still running). */
    this.exitCode = options.exitCode ?? null;
    /** The signal that ended the bridge, by name (`'SIGKILL'`), or null. */
    this.signal = options.signal ?? null;
    /** The last lines the bridge wrote on its stderr, or null. */
    this.stderr = options.stderr ?? null;
  }
}

/**
 * The binary exited, or stayed silent, before answering `initialize`: it is not a working
 * medusa-auth-bridge, or it refused its options (then `stderr` holds its one-line reason).
 */
class BridgeStartError extends BridgeClosedError {
  constructor(message, options = {}) {
    super(message, options);
    /** The executable that was started. */
    this.binary = options.binary;
  }
}

/** No bridge binary was found; `searched` lists every place looked at, in order. */
class BridgeNotFoundError extends BridgeError {
  constructor(message, options = {}) {
    super(message, options);
    this.searched = options.searched ?? [];
  }
}

/** The bridge speaks another protocol version than this client (refused at `initialize`). */
class BridgeVersionError extends BridgeError {
  constructor(message, options = {}) {
    super(message, options);
    this.clientVersion = options.clientVersion;
    this.bridgeVersion = options.bridgeVersion;
    this.supported = options.supported;
  }
}

/**
 * The call's AbortSignal fired. Named "AbortError" with code "ABORT_ERR" like Node's own
 * AbortError, so `err.name === 'AbortError'` checks written for fetch and timers work unchanged.
 */
class BridgeAbortError extends BridgeError {
  constructor(message = 'The operation was aborted', options = {}) {
    super(message, { cause: options.cause, method: options.method, session: options.session });
    this.name = 'AbortError';
    this.code = 'ABORT_ERR';
  }
}

/** The call's `timeout` (milliseconds) elapsed first. Named "TimeoutError" like AbortSignal.timeout's reason. */
class BridgeTimeoutError extends BridgeError {
  constructor(message, options = {}) {
    super(message, { cause: options.cause, method: options.method, session: options.session });
    this.name = 'TimeoutError';
    this.code = 'ETIMEDOUT';
    this.timeout = options.timeout;
  }
}

/** The one table from wire code to class; MedusaError picks its subclass by status below. */
const CLASS_BY_CODE = new Map([
  [ErrorCode.PARSE_ERROR, ParseError],
  [ErrorCode.INVALID_REQUEST, InvalidRequestError],
  [ErrorCode.METHOD_NOT_FOUND, MethodNotFoundError],
  [ErrorCode.INVALID_PARAMS, InvalidParamsError],
  [ErrorCode.INTERNAL_ERROR, InternalError],
  [ErrorCode.MEDUSA_HTTP_ERROR, MedusaError],
  [ErrorCode.MEDUSA_UNREACHABLE, BridgeUnreachableError],
  [ErrorCode.MEDUSA_BAD_RESPONSE, BadResponseError],
  [ErrorCode.REQUEST_CANCELLED, CancelledError],
]);

const MEDUSA_CLASS_BY_STATUS = new Map([
  [401, UnauthorizedError],
  [404, NotFoundError],
]);

/**
 * Turns a JSON-RPC error object into the matching error instance.
 *
 * The message states once what happened, led by the call (clients/PARITY.md):
 * `auth.getSession in session 'alice': Medusa answered 401 Unauthorized`. For the codes whose `data`
 * says more than the bridge's message, the message is built from `data` instead of repeating both.
 * @param {unknown} wire the `error` member of a response
 * @param {string} [method] the wire method called
 * @param {string} [session] its session, when it has one
 */
function errorFromWire(wire, method, session) {
  const error = isObject(wire) ? wire : {};
  const code = typeof error.code === 'number' ? error.code : undefined;
  const data = error.data;
  let Class = CLASS_BY_CODE.get(code) ?? BridgeError;
  if (Class === MedusaError && isObject(data)) Class = MEDUSA_CLASS_BY_STATUS.get(data.status) ?? MedusaError;
  const text = typeof error.message === 'string' && error.message !== '' ? error.message : 'the bridge answered with an error';
  const step = isObject(data) && typeof data.step === 'string' ? data.step : undefined;
  return new Class(`${callPrefix(method, session, step)}${describe(code, data, text) ?? text}`, { code, data, method, session });
}

/**
 * `auth.getSession in session 'alice': `, `ping: `, `auth.signup in session 'sam', step login: `,
 * or nothing for an error tied to no call.
 */
function callPrefix(method, session, step) {
  if (!method) return '';
  const where = session === undefined ? method : `${method} in session '${session}'`;
  return step === undefined ? `${where}: ` : `${where}, step ${step}: `;
}

/**
 * What happened, from `data`, for the codes where it says more than the message; else undefined.
 * @param {number|undefined} code @param {unknown} data @param {string} text the bridge's message
 */
function describe(code, data, text) {
  if (!isObject(data)) return undefined;
  switch (code) {
    case ErrorCode.MEDUSA_HTTP_ERROR: {
      if (typeof data.status !== 'number') return undefined;
      const what = [data.type, data.message ?? data.body].filter((part) => typeof part === 'string' && part !== '');
      const said = what.length === 2 ? `${what[0]}: ${what[1]}` : (what[0] ?? '');
      const hint = typeof data.hint === 'string' ? ` (${data.hint})` : '';
      const location = typeof data.location === 'string' ? ` (Location: ${data.location})` : '';
      // RFC 9110 §15.5.8: a 407 comes from a proxy on the way, never from Medusa.
      const who = data.status === 407 ? 'A proxy between the bridge and Medusa' : 'Medusa';
      return `${who} answered ${data.status}${location}${said ? ` ${said}` : ''}${hint}`;
    }
    case ErrorCode.MEDUSA_UNREACHABLE: {
      if (typeof data.reason !== 'string') return undefined;
      const attempts = typeof data.attempts === 'number' ? ` after ${data.attempts} attempt${data.attempts === 1 ? '' : 's'}` : '';
      const detail = typeof data.detail === 'string' && data.detail !== '' ? `: ${data.detail}` : '';
      return `No answer from Medusa (${data.reason})${attempts}${detail}`;
    }
    case ErrorCode.MEDUSA_BAD_RESPONSE:
      // The bridge's own words say which fault it was (a body that is not the JSON expected, one
      // longer than the bridge reads, or broken framing); for broken framing, `detail` says how.
      return typeof data.detail === 'string' && data.detail !== '' ? `${text}: ${data.detail}` : undefined;
    default:
      return undefined;
  }
}

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

module.exports = {
  ErrorCode,
  BridgeError,
  ProtocolError,
  ParseError,
  InvalidRequestError,
  MethodNotFoundError,
  InvalidParamsError,
  InternalError,
  MedusaError,
  UnauthorizedError,
  NotFoundError,
  BridgeUnreachableError,
  BadResponseError,
  CancelledError,
  BridgeClosedError,
  BridgeStartError,
  BridgeNotFoundError,
  BridgeVersionError,
  BridgeAbortError,
  BridgeTimeoutError,
  errorFromWire,
  callPrefix,
};
