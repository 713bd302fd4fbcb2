'use strict';
/**
 * `new Bridge(options)`: validation, and the command line and environment they become.
 *
 * Names and rules are clients/PARITY.md's, shared with the Python client. Every value is checked
 * here with the bridge's own rules (Sources/medusa-auth-bridge/CommandLineOptions.swift), so a bad
 * option is a TypeError or RangeError naming the option at `new Bridge()`, never a bridge that
 * exits 64 at the first call. Every duration is in milliseconds. An option left out is not passed,
 * so the bridge's own environment fallbacks and defaults apply.
 */

const { Writable } = require('node:stream');

/** The `close()` steps and the handshake, in milliseconds (clients/PARITY.md). */
const DEFAULT_TIMEOUTS = Object.freeze({
  /**
   * A bridge answers `initialize` about 20 ms after spawn. Ten seconds covers a cold start on a
   * busy 2-core CI machine; an executable silent for longer is not a working bridge.
   */
  handshakeTimeout: 10_000,
  /**
   * After stdin closes, the bridge finishes what is in flight (close() has cancelled it) and exits;
   * on SIGTERM it waits 3 s for cancelled work. Five seconds is longer than that drain, so SIGTERM
   * only reaches a bridge that ignored its stdin closing.
   */
  exitTimeout: 5_000,
  /** Longer than the bridge's 3 s SIGTERM drain, so SIGKILL only hits a bridge that is stuck. */
  terminateTimeout: 5_000,
  /** SIGKILL cannot be caught; this bound only keeps close() from waiting for ever on a process in D state. */
  killTimeout: 5_000,
});

/**
 * The longest delay Node's timers take: 2^31-1 ms, about 24.8 days. A longer one is not honoured
 * (setTimeout warns and fires after 1 ms), so a call would time out at once; it is refused instead.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** The bridge's bound on `--timeout`: (0, 86400] seconds. */
const MAX_HTTP_TIMEOUT_MS = 86_400_000;
/** The bridge's bound on `--max-retries`. */
const MAX_RETRIES = 100;
const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'];
const AUTH_TYPES = ['jwt', 'session'];
const STDERR_MODES = ['inherit', 'ignore'];
/** An RFC 9110 token: what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What a header value may not hold (RFC 9110 5.5; the bridge allows tab and bytes from 0x20, bar DEL). */
const HEADER_VALUE_FORBIDDEN = /[\x00-\x08\x0a-\x1f\x7f]/;

const KNOWN = [
  'baseUrl',
  'maxRetries',
  'publishableApiKey',
  'headers',
  'httpTimeout',
  'logLevel',
  'authType',
  'binary',
  'env',
  'stderr',
  ...Object.keys(DEFAULT_TIMEOUTS),
];

/**
 * The environment variables of ours that the bridge inherits (clients/PARITY.md): the POSIX basics,
 * the locale, the loader's paths (a Swift runtime outside the system paths), CA bundles and proxies
 * for a TLS Medusa behind a proxy. Everything else of this process stays here, as in the MCP SDKs.
 */
const INHERITED_ENV = [
  'HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER', 'TMPDIR', 'TMP', 'TEMP', 'TZ', 'LANG', 'LANGUAGE',
  'LC_ALL', 'LC_CTYPE', 'LC_MESSAGES', 'LD_LIBRARY_PATH', 'DYLD_LIBRARY_PATH', 'SSL_CERT_FILE',
  'SSL_CERT_DIR', 'CURL_CA_BUNDLE', 'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy', 'HTTP_PROXY',
  'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY',
];
/** The bridge's own fallbacks (MEDUSA_BACKEND_URL, ...) are inherited as a family. */
const INHERITED_PREFIX = 'MEDUSA_';

/**
 * @param {unknown} options
 * @returns {Readonly<Record<string, any>>} the options, checked, with every timeout filled in
 */
function validateBridgeOptions(options) {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError('Bridge options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (KNOWN.includes(key)) continue;
    const hint = key === 'customHeaders' ? ' (the option is named headers)' : '';
    throw new TypeError(`unknown Bridge option ${JSON.stringify(key)}${hint}; known: ${KNOWN.join(', ')}`);
  }
  const { baseUrl, maxRetries, publishableApiKey, headers, httpTimeout, logLevel, authType, binary, env, stderr } = options;
  if (baseUrl !== undefined) checkBaseUrl(baseUrl);
  if (maxRetries !== undefined && !(Number.isInteger(maxRetries) && maxRetries >= 0 && maxRetries <= MAX_RETRIES)) {
    throw new RangeError(`maxRetries must be a whole number from 0 to ${MAX_RETRIES}, not ${show(maxRetries)}`);
  }
  if (publishableApiKey !== undefined && !(typeof publishableApiKey === 'string' && publishableApiKey !== '')) {
    throw new TypeError('publishableApiKey must be a non-empty string');
  }
  if (headers !== undefined) checkHeaders(headers, 'headers');
  if (httpTimeout !== undefined) checkDuration(httpTimeout, 'httpTimeout', MAX_HTTP_TIMEOUT_MS, 'one day');
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel)) {
    throw new TypeError(`logLevel must be one of ${LOG_LEVELS.join(', ')}, not ${show(logLevel)}`);
  }
  if (authType !== undefined && !AUTH_TYPES.includes(authType)) {
    throw new TypeError(`authType must be jwt or session, not ${show(authType)}`);
  }
  if (binary !== undefined && !(typeof binary === 'string' && binary !== '')) throw new TypeError('binary must be a non-empty path');
  if (env !== undefined) checkEnv(env);
  if (stderr !== undefined && !STDERR_MODES.includes(stderr) && !(stderr instanceof Writable || isWritableLike(stderr))) {
    throw new TypeError(`stderr must be 'inherit', 'ignore' or a Writable stream, not ${show(stderr)}`);
  }
  const timeouts = {};
  for (const [name, fallback] of Object.entries(DEFAULT_TIMEOUTS)) {
    if (options[name] !== undefined) checkDuration(options[name], name);
    timeouts[name] = options[name] ?? fallback;
  }
  return Object.freeze({
    ...options,
    ...timeouts,
    stderr: stderr ?? 'inherit',
    headers: headers && Object.freeze({ ...headers }),
    env: env && Object.freeze({ ...env }),
  });
}

/** The bridge's rule: http or https, a host, no query, no fragment. */
function checkBaseUrl(baseUrl) {
  let url;
  try {
    url = typeof baseUrl === 'string' ? new URL(baseUrl) : undefined;
  } catch {
    url = undefined;
  }
  // `new URL('127.0.0.1:9000')` parses, with protocol "127.0.0.1:"; the protocol check refuses it.
  const ok = url && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && !baseUrl.includes('?') && !baseUrl.includes('#');
  if (!ok) throw new TypeError(`baseUrl must be an http or https URL with a host, no query and no fragment, not ${show(baseUrl)}`);
}

/**
 * A duration in milliseconds: a finite number > 0 and at most `max`, by default Node's timer
 * maximum (clients/PARITY.md, "Units").
 */
function checkDuration(value, name, max = MAX_TIMER_MS, maxMeaning = "Node's timer maximum, about 24.8 days") {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${name} must be a finite number of milliseconds, not ${show(value)}`);
  }
  if (!(value > 0)) throw new RangeError(`${name} must be more than 0 ms, not ${value}`);
  if (value > max) throw new RangeError(`${name} must be at most ${max} ms (${maxMeaning}), not ${value}`);
}

/** Header names are tokens and values hold no control characters; the value is never echoed. */
// Fields that frame the message or manage the connection: the bridge's HTTP layer (libcurl) writes
// them, and refuses them from a caller (a wrong Content-Length would leave part of a request on a
// shared connection for the server to read as the next one).
const TRANSPORT_OWNED = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'expect']);

function checkHeaders(headers, name) {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    throw new TypeError(`${name} must be an object of header name to string value`);
  }
  for (const [header, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(header)) throw new TypeError(`${name}: invalid header name ${JSON.stringify(header)}`);
    if (TRANSPORT_OWNED.has(header.toLowerCase())) {
      throw new TypeError(`${name}: ${header} is set by the bridge's HTTP layer and cannot be given`);
    }
    if (typeof value !== 'string' || HEADER_VALUE_FORBIDDEN.test(value)) {
      throw new TypeError(`${name}: the value of ${header} must be a string without control characters (CR, LF, NUL, ...)`);
    }
  }
}

function checkEnv(env) {
  if (typeof env !== 'object' || env === null || Array.isArray(env)) throw new TypeError('env must be an object of name to string value');
  for (const [name, value] of Object.entries(env)) {
    if (name === '' || name.includes('=') || name.includes('\0')) throw new TypeError(`env: invalid variable name ${JSON.stringify(name)}`);
    if (typeof value !== 'string' || value.includes('\0')) throw new TypeError(`env: the value of ${name} must be a string without NUL`);
  }
}

function isWritableLike(value) {
  return typeof value === 'object' && value !== null && typeof value.write === 'function' && typeof value.on === 'function';
}

/** A value for an error message; a string is quoted, an object named by its type. */
function show(value) {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}

/** Seconds as the bridge's `--timeout` reads them, from milliseconds. */
function seconds(milliseconds) {
  return String(milliseconds / 1000);
}

/**
 * The bridge's command line; never holds the publishable key (it would show in `ps`). The client
 * reads newline-delimited JSON, so LSP framing is never left to auto-detection.
 */
function bridgeArgs(options) {
  const args = [];
  if (options.baseUrl !== undefined) args.push('--base-url', options.baseUrl);
  if (options.maxRetries !== undefined) args.push('--max-retries', String(options.maxRetries));
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('--header', `${name}: ${value}`);
  if (options.httpTimeout !== undefined) args.push('--timeout', seconds(options.httpTimeout));
  if (options.logLevel !== undefined) args.push('--log-level', options.logLevel);
  if (options.authType !== undefined) args.push('--auth-type', options.authType);
  args.push('--framing', 'ndjson');
  return args;
}

/** The bridge's environment: the allow-list and MEDUSA_* of ours, the publishable key, then `env`. */
function bridgeEnv(options, parent = process.env) {
  const env = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value !== undefined && (INHERITED_ENV.includes(name) || name.startsWith(INHERITED_PREFIX))) env[name] = value;
  }
  if (options.publishableApiKey !== undefined) env.MEDUSA_PUBLISHABLE_API_KEY = options.publishableApiKey;
  return Object.assign(env, options.env);
}

module.exports = { validateBridgeOptions, bridgeArgs, bridgeEnv, checkDuration, checkHeaders, DEFAULT_TIMEOUTS, INHERITED_ENV, MAX_TIMER_MS };
