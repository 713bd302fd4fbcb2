'use strict';
/**
 * medusa-auth-bridge for Node: the Medusa store auth API (medusa-js's `medusa.auth`) through the
 * medusa-auth-bridge process, with sessions held by the bridge. The public surface is this file
 * (and index.mjs, which re-exports it); everything else under lib/ is private.
 */

const { errorFromWire, callPrefix, ...errorClassesAndCodes } = require('./errors');
const { Bridge } = require('./bridge');
const { PROTOCOL_VERSION } = require('./methods');

module.exports = { Bridge, PROTOCOL_VERSION, ...errorClassesAndCodes };
