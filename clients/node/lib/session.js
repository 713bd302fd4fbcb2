'use strict';
/**
 * A named session of the bridge and its AuthResource, mirroring medusa-js's `medusa.auth`.
 *
 * The bridge holds each session's cookie jar and JWT; here a session is only a name that every
 * call carries. Argument order follows medusa-js (`packages/medusa-js/src/resources/auth.ts`,
 * medusa-store-auth.md section 4.2), with the per-call `{ signal, timeout }` last.
 */

const { Method } = require('./methods');

class AuthResource {
  #session;
  #call;

  /**
   * @param {string} session
   * @param {(method: string, params: object, options?: object) => Promise<any>} call
   */
  constructor(session, call) {
    this.#session = session;
    this.#call = call;
  }

  /** POST /store/auth: log in with a cookie session; resolves to `{ customer }`. */
  async authenticate(payload, customHeaders, options) {
    return this.#send(Method.authenticate, credentials(Method.authenticate, payload), customHeaders, options);
  }

  /** GET /store/auth: the logged-in customer; resolves to `{ customer }`. */
  async getSession(customHeaders, options) {
    return this.#send(Method.getSession, {}, customHeaders, options);
  }

  /** DELETE /store/auth, then the bridge forgets the session's cookies and token; resolves to `{}`. */
  async deleteSession(customHeaders, options) {
    return this.#send(Method.deleteSession, {}, customHeaders, options);
  }

  /** GET /store/auth/{email}: whether a registered customer uses the email; resolves to `{ exists }`. */
  async exists(email, customHeaders, options) {
    return this.#send(Method.exists, { email }, customHeaders, options);
  }

  /** POST /store/auth/token: log in for a JWT, kept by the session; resolves to `{ access_token }`. */
  async getToken(payload, customHeaders, options) {
    return this.#send(Method.getToken, credentials(Method.getToken, payload), customHeaders, options);
  }

  /** Always by-name params (the contract); the bridge validates the values and names a bad field. */
  #send(method, params, customHeaders, options) {
    if (customHeaders !== undefined && customHeaders !== null) {
      if (typeof customHeaders !== 'object' || Array.isArray(customHeaders)) {
        throw new TypeError(`${method}: customHeaders must be an object of strings`);
      }
      params.customHeaders = customHeaders;
    }
    params.session = this.#session;
    return this.#call(method, params, options);
  }
}

/** Copies only `email` and `password`: a payload with other keys must not leak them to the wire. */
function credentials(method, payload) {
  if (typeof payload !== 'object' || payload === null) {
    throw new TypeError(`${method}: payload must be an object like { email, password }`);
  }
  return { email: payload.email, password: payload.password };
}

class Session {
  #call;

  /**
   * @param {string} name
   * @param {(method: string, params: object, options?: object) => Promise<any>} call
   */
  constructor(name, call) {
    /** The session's name, sent as `session` with every call. */
    this.name = name;
    /** The five medusa-js AuthResource methods, bound to this session. */
    this.auth = new AuthResource(name, call);
    this.#call = call;
    Object.freeze(this);
  }

  /** Forgets the session's cookies and token in the bridge (no HTTP request). */
  async clear(options) {
    await this.#call(Method.sessionClear, { session: this.name }, options);
  }
}

module.exports = { Session, AuthResource };
