'use strict';
/**
 * medusa-auth-bridge for Node: the Medusa store auth API (medusa-js's `medusa.auth`) through the
 * medusa-auth-bridge process, with sessions held by the bridge. The public surface is this file;
 * everything else under lib/ is private.
 */

const errors = require('./errors');
const { Bridge } = require('./bridge');
const { PROTOCOL_VERSION } = require('./methods');

module.exports = {
  Bridge,
  PROTOCOL_VERSION,
  ErrorCode: errors.ErrorCode,
  BridgeError: errors.BridgeError,
  ProtocolError: errors.ProtocolError,
  ParseError: errors.ParseError,
  InvalidRequestError: errors.InvalidRequestError,
  MethodNotFoundError: errors.MethodNotFoundError,
  InvalidParamsError: errors.InvalidParamsError,
  InternalError: errors.InternalError,
  MedusaError: errors.MedusaError,
  UnauthorizedError: errors.UnauthorizedError,
  NotFoundError: errors.NotFoundError,
  BridgeUnreachableError: errors.BridgeUnreachableError,
  BadResponseError: errors.BadResponseError,
  CancelledError: errors.CancelledError,
  BridgeClosedError: errors.BridgeClosedError,
  BridgeNotFoundError: errors.BridgeNotFoundError,
  BridgeVersionError: errors.BridgeVersionError,
  BridgeAbortError: errors.BridgeAbortError,
  BridgeTimeoutError: errors.BridgeTimeoutError,
};
