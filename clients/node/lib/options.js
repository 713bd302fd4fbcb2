'use strict';
/**
 * `new Bridge(options)`: validation, and the command line and environment they become.
 *
 * The names mirror medusa-js's Config (`baseUrl`, `maxRetries`, `publishableApiKey`), plus `headers`
 * (medusa-js: `customHeaders`), `binary`, and two bridge settings. An option left out is not passed
 * at all, so the bridge's own environment fallbacks and defaults apply (MEDUSA_BACKEND_URL,
 * MEDUSA_MAX_RETRIES, MEDUSA_PUBLISHABLE_API_KEY; http://localhost:9000 and 0 retries, as medusa-js).
 */

const KNOWN = new Set(['baseUrl', 'maxRetries', 'publishableApiKey', 'headers', 'binary', 'httpTimeout', 'logLevel']);
const LOG_LEVELS = new Set(['error', 'warn', 'info', 'debug', 'trace']);
/** An RFC 9110 token: what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * @param {unknown} options
 * @returns {Readonly<Record<string, any>>} the same options, checked
 */
function validateBridgeOptions(options) {
  if (options === undefined) return Object.freeze({});
  if (typeof options !== 'object' || options === null) throw new TypeError('Bridge options must be an object');
  for (const key of Object.keys(options)) {
    if (KNOWN.has(key)) continue;
    const hint = key === 'customHeaders' ? ' (the option is named headers)' : '';
    throw new TypeError(`unknown Bridge option ${JSON.stringify(key)}${hint}; known: ${[...KNOWN].join(', ')}`);
  }
  const { baseUrl, maxRetries, publishableApiKey, headers, binary, httpTimeout, logLevel } = options;
  if (baseUrl !== undefined) {
    let url;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new TypeError(`baseUrl is not a URL: ${JSON.stringify(baseUrl)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('baseUrl must be an http or https URL');
  }
  if (maxRetries !== undefined && !(Number.isInteger(maxRetries) && maxRetries >= 0)) {
    throw new TypeError('maxRetries must be an integer >= 0');
  }
  if (publishableApiKey !== undefined && typeof publishableApiKey !== 'string') {
    throw new TypeError('publishableApiKey must be a string');
  }
  if (headers !== undefined) validateHeaders(headers);
  if (binary !== undefined && (typeof binary !== 'string' || binary === '')) throw new TypeError('binary must be a path');
  if (httpTimeout !== undefined && !(typeof httpTimeout === 'number' && httpTimeout > 0 && Number.isFinite(httpTimeout))) {
    throw new TypeError('httpTimeout must be a number of seconds > 0');
  }
  if (logLevel !== undefined && !LOG_LEVELS.has(logLevel)) {
    throw new TypeError(`logLevel must be one of ${[...LOG_LEVELS].join(', ')}`);
  }
  return Object.freeze({ ...options, headers: headers && Object.freeze({ ...headers }) });
}

function validateHeaders(headers) {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    throw new TypeError('headers must be an object of header name to string value');
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) throw new TypeError(`headers: invalid header name ${JSON.stringify(name)}`);
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) {
      throw new TypeError(`headers: the value of ${name} must be a string without CR, LF or NUL`);
    }
  }
}

/** The bridge's command line; never holds the publishable key (it would show in `ps`). */
function bridgeArgs(options) {
  const args = [];
  if (options.baseUrl !== undefined) args.push('--base-url', options.baseUrl);
  if (options.maxRetries !== undefined) args.push('--max-retries', String(options.maxRetries));
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('--header', `${name}: ${value}`);
  if (options.httpTimeout !== undefined) args.push('--timeout', String(options.httpTimeout));
  if (options.logLevel !== undefined) args.push('--log-level', options.logLevel);
  return args;
}

/** The bridge's environment: ours, plus the publishable key when given (CONTRACT.md). */
function bridgeEnv(options, env = process.env) {
  const result = { ...env };
  if (options.publishableApiKey !== undefined) result.MEDUSA_PUBLISHABLE_API_KEY = options.publishableApiKey;
  return result;
}

module.exports = { validateBridgeOptions, bridgeArgs, bridgeEnv };
