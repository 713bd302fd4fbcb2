'use strict';
/**
 * A named session of the bridge: its own cookie jar and token inside the bridge process. Here a
 * session is only a name that every call carries; its `auth` and `store` objects come from the
 * method table (lib/methods.js, lib/resources.js).
 */

const { Method } = require('./methods');
const { buildResources } = require('./resources');
const { validatePlainCallOptions } = require('./call-options');

class Session {
  #send;

  /**
   * @param {string} name
   * @param {(method: string, params: object, options?: object) => Promise<any>} send
   */
  constructor(name, send) {
    const { auth, store } = buildResources(name, send);
    /** The session's name, sent as `session` with every call. */
    this.name = name;
    /** medusa-js's AuthResource (Medusa v1) and js-sdk's Auth (Medusa v2), bound to this session. */
    this.auth = auth;
    /** js-sdk's `store.customer` (Medusa v2), bound to this session. */
    this.store = store;
    this.#send = send;
    Object.freeze(this);
  }

  /** Forgets the session's cookies and token in the bridge (no HTTP request). */
  async clear(options) {
    const { signal, timeout } = validatePlainCallOptions(options, Method.sessionClear);
    await this.#send(Method.sessionClear, { session: this.name }, { signal, timeout, session: this.name });
  }
}

module.exports = { Session };
