'use strict';
/**
 * medusa-auth-bridge for Node: the Medusa store auth API (medusa-js's `medusa.auth`) through the
 * medusa-auth-bridge process, with sessions held by the bridge. The public surface is this file
 * (and index.mjs, which re-exports it); everything else under lib/ is private.
 */

const { errorFromWire, callPrefix, ...errorClassesAndCodes } = require('./errors');
const { Bridge } = require('./bridge');
const { PROTOCOL_VERSION } = require('./methods');

/**
 * The escape hatch for fields Medusa sends that the declared result types do not name: the same
 * object (nothing is copied), typed in index.d.ts as a record of unknown values.
 */
function raw(value) {
  if (typeof value !== 'object' || value === null) throw new TypeError('raw() takes a result object');
  return value;
}

module.exports = { Bridge, PROTOCOL_VERSION, raw, ...errorClassesAndCodes };
