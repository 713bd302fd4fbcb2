'use strict';
/**
 * The one list of wire methods this client knows, and the public member that sends each.
 *
 * schema/openrpc.json is the source of truth; test/methods.test.js fails when this table and the
 * schema drift apart, when a listed member is missing at run time, or when index.d.ts does not
 * declare it (tagged `@rpc <method>`).
 *
 * Decisions on the protocol plumbing (CONTRACT.md leaves them to each client):
 * - `initialize` is sent first on every start; `bridge.start()` exposes its result.
 * - `ping` and `rpc.discover` are small public methods (`bridge.ping()`, `bridge.discover()`).
 * - `$/cancelRequest` is internal: it is sent when a call's signal aborts or its timeout elapses.
 */

const Method = Object.freeze({
  authenticate: 'auth.authenticate',
  getSession: 'auth.getSession',
  deleteSession: 'auth.deleteSession',
  exists: 'auth.exists',
  getToken: 'auth.getToken',
  sessionList: 'session.list',
  sessionClear: 'session.clear',
  initialize: 'initialize',
  ping: 'ping',
  discover: 'rpc.discover',
  cancelRequest: '$/cancelRequest',
});

/** Wire method -> `Type.member` that sends it, or null for plumbing with no public member. */
const CLIENT_MEMBERS = Object.freeze({
  [Method.authenticate]: 'AuthResource.authenticate',
  [Method.getSession]: 'AuthResource.getSession',
  [Method.deleteSession]: 'AuthResource.deleteSession',
  [Method.exists]: 'AuthResource.exists',
  [Method.getToken]: 'AuthResource.getToken',
  [Method.sessionList]: 'Bridge.sessions',
  [Method.sessionClear]: 'Session.clear',
  [Method.initialize]: 'Bridge.start',
  [Method.ping]: 'Bridge.ping',
  [Method.discover]: 'Bridge.discover',
  [Method.cancelRequest]: null,
});

/** The protocol version this client speaks, sent in `initialize` and required back. */
const PROTOCOL_VERSION = '1.0';

module.exports = { Method, CLIENT_MEMBERS, PROTOCOL_VERSION };
