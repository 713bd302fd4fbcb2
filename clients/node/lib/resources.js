'use strict';
/**
 * Builds a session's `auth` and `store.customer` objects from the method table (lib/methods.js):
 * each table entry becomes one function that reads its positional arguments into by-name params,
 * takes the call options last, sends the wire method in the session, and shapes the answer.
 */

const { SESSION_METHODS } = require('./methods');
const { validateCallOptions, looksLikeCallOptions } = require('./call-options');

/** The session that `bridge.auth` uses, as the bridge's default (schema: `session` param). */
const DEFAULT_SESSION = 'default';

/**
 * @param {string} session the session the methods are bound to
 * @param {(method: string, params: object, options: object) => Promise<any>} send
 * @returns {{auth: object, store: {customer: object}}}
 */
function buildResources(session, send) {
  const root = {};
  for (const spec of SESSION_METHODS) {
    const path = spec.member.split('.');
    const name = path.pop();
    let node = root;
    for (const part of path) node = node[part] ??= {};
    const method = (...args) => invoke(spec, args, session, send);
    Object.defineProperty(method, 'name', { value: name });
    node[name] = method;
  }
  return deepFreeze(root);
}

/** One call: arguments to params, then the wire, then the answer's shape; errors as rejections. */
function invoke(spec, given, bound, send) {
  const label = spec.wire;
  try {
    const slots = spec.args.length;
    if (given.length > slots + 1) throw new TypeError(`${label}: takes at most ${slots + 1} argument${slots ? 's' : ''} (the last is the call options), got ${given.length}`);
    let args = given;
    let options;
    if (given.length === slots + 1) {
      options = given[slots];
    } else if (given.length > 0 && spec.args[given.length - 1].optionsAlike && looksLikeCallOptions(given[given.length - 1])) {
      options = given[given.length - 1];
      args = given.slice(0, -1);
    }
    const { signal, timeout, headers, session: chosen } = validateCallOptions(options);
    if (chosen !== undefined && bound !== DEFAULT_SESSION && chosen !== bound) {
      throw new TypeError(`${label}: this method belongs to session '${bound}'; the session option '${chosen}' names another`);
    }
    const session = chosen ?? bound;
    const call = { label, params: {}, headers: undefined, provider: undefined };
    spec.args.forEach((kind, index) => {
      if (args[index] === undefined && kind.optional) return kind.read(undefined, call);
      kind.read(args[index], call);
    });
    const customHeaders = call.headers || headers ? { ...call.headers, ...headers } : undefined;
    if (customHeaders) call.params.customHeaders = customHeaders;
    call.params.session = session;
    const sent = send(spec.wire, call.params, { signal, timeout, session });
    return spec.result ? sent.then(spec.result) : sent;
  } catch (error) {
    return Promise.reject(error);
  }
}

function deepFreeze(object) {
  for (const value of Object.values(object)) if (typeof value === 'object' && value !== null) deepFreeze(value);
  return Object.freeze(object);
}

module.exports = { buildResources, DEFAULT_SESSION };
