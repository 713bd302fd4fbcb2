'use strict';
/**
 * The one table of the methods this client sends: each public method is declared here once, and
 * lib/resources.js builds the runtime methods from it.
 *
 * schema/openrpc.json is the source of truth for the wire; test/methods.test.js fails when this
 * table and the schema drift apart, when a member is missing at run time, or when index.d.ts does
 * not declare it with the same arguments (tagged `@rpc <wire method>`).
 *
 * Shapes: the Medusa v1 methods keep medusa-js's `AuthResource` (packages/medusa-js/src/resources/
 * auth.ts in medusajs/medusa v1.x); the Medusa v2 ones keep @medusajs/js-sdk's `Auth` and
 * `store.customer` (packages/core/js-sdk/src/auth/index.ts and src/store/index.ts in medusajs/medusa
 * v2), so code moves over with the fewest changes. Every method also takes the call options
 * `{ signal, timeout, headers, session }` as its last argument.
 */

const arg = require('./arguments');

/** Every wire method of the protocol, by a short name. */
const Method = Object.freeze({
  authenticate: 'auth.authenticate',
  getSession: 'auth.getSession',
  deleteSession: 'auth.deleteSession',
  exists: 'auth.exists',
  getToken: 'auth.getToken',
  login: 'auth.login',
  register: 'auth.register',
  callback: 'auth.callback',
  refresh: 'auth.refresh',
  logout: 'auth.logout',
  resetPassword: 'auth.resetPassword',
  updateProvider: 'auth.updateProvider',
  signup: 'auth.signup',
  customerCreate: 'store.customer.create',
  customerRetrieve: 'store.customer.retrieve',
  customerUpdate: 'store.customer.update',
  sessionList: 'session.list',
  sessionClear: 'session.clear',
  initialize: 'initialize',
  ping: 'ping',
  discover: 'rpc.discover',
  cancelRequest: '$/cancelRequest',
});

/** js-sdk answers a token where the bridge answers `{ token }`. */
const token = (result) => result.token;
/** js-sdk's methods that answer nothing resolve to undefined. */
const nothing = () => undefined;

/**
 * The methods of a session's resources, in the order the README lists them: `member` is the path
 * on a Session (`bridge.auth` and `bridge.store` are the default session's), `wire` the method
 * sent, `args` the positional arguments before the call options, `result` what the answer becomes.
 */
const SESSION_METHODS = Object.freeze([
  // Medusa v1, medusa-js's AuthResource.
  { member: 'auth.authenticate', wire: Method.authenticate, args: [arg.credentials, arg.headers('customHeaders')] },
  { member: 'auth.getSession', wire: Method.getSession, args: [arg.headers('customHeaders')] },
  { member: 'auth.deleteSession', wire: Method.deleteSession, args: [arg.headers('customHeaders')] },
  { member: 'auth.exists', wire: Method.exists, args: [arg.string('email'), arg.headers('customHeaders')] },
  {
    member: 'auth.emailExists',
    wire: Method.exists,
    args: [arg.string('email'), arg.headers('customHeaders')],
    result: (result) => result.exists === true,
  },
  { member: 'auth.getToken', wire: Method.getToken, args: [arg.credentials, arg.headers('customHeaders')] },
  // Medusa v2, js-sdk's Auth.
  {
    member: 'auth.login',
    wire: Method.login,
    args: [arg.actor, arg.provider('method'), arg.providerPayload('payload', ['email', 'password'])],
    result: (result) => (typeof result.location === 'string' ? { location: result.location } : result.token),
  },
  {
    member: 'auth.register',
    wire: Method.register,
    args: [arg.actor, arg.provider('method'), arg.providerPayload('payload', ['email', 'password'])],
    result: token,
  },
  { member: 'auth.callback', wire: Method.callback, args: [arg.actor, arg.provider('method'), arg.callbackQuery], result: token },
  { member: 'auth.refresh', wire: Method.refresh, args: [arg.headers('headers')], result: token },
  { member: 'auth.logout', wire: Method.logout, args: [], result: nothing },
  { member: 'auth.resetPassword', wire: Method.resetPassword, args: [arg.actor, arg.provider('provider'), arg.identifier], result: nothing },
  {
    member: 'auth.updateProvider',
    wire: Method.updateProvider,
    args: [arg.actor, arg.provider('provider'), arg.providerPayload('body', ['password']), arg.resetToken],
    result: nothing,
  },
  { member: 'auth.signup', wire: Method.signup, args: [arg.fields('body')] },
  // Medusa v2, js-sdk's store.customer.
  { member: 'store.customer.create', wire: Method.customerCreate, args: [arg.fields('body'), arg.customerQuery, arg.headers('headers')] },
  { member: 'store.customer.retrieve', wire: Method.customerRetrieve, args: [arg.customerQuery, arg.headers('headers')] },
  { member: 'store.customer.update', wire: Method.customerUpdate, args: [arg.fields('body'), arg.customerQuery, arg.headers('headers')] },
]);

/** The type in index.d.ts that holds the members under each resource path. */
const RESOURCE_TYPES = Object.freeze({ auth: 'AuthResource', 'store.customer': 'CustomerResource' });

/** Wire methods sent by hand-written members (`Type.member`), or null for internal plumbing. */
const PLUMBING_MEMBERS = Object.freeze({
  [Method.sessionList]: 'Bridge.sessions',
  [Method.sessionClear]: 'Session.clear',
  [Method.initialize]: 'Bridge.start',
  [Method.ping]: 'Bridge.ping',
  [Method.discover]: 'Bridge.discover',
  // Sent when a call's signal aborts, its timeout passes, or close() cancels it.
  [Method.cancelRequest]: null,
});

/** The protocol version this client speaks, sent in `initialize` and required back. */
const PROTOCOL_VERSION = '1.0';

module.exports = { Method, SESSION_METHODS, RESOURCE_TYPES, PLUMBING_MEMBERS, PROTOCOL_VERSION };
