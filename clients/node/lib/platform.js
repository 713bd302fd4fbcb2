'use strict';
/**
 * The name of the npm package that carries the bridge binary for a platform, shared by the binary
 * search (lib/binary.js) and the packaging script (scripts/pack.mjs), so the two can never disagree.
 *
 * The arrangement is esbuild's: the main package lists the platform package as an optional
 * dependency, and the platform package's `os` and `cpu` fields let npm install only the one that
 * fits the machine. Names use Node's own `process.platform` and `process.arch` spellings.
 */

const path = require('node:path');

/** The npm scope of the platform packages. */
const PLATFORM_SCOPE = '@medusa-auth-bridge';
/** Where the executable sits inside a platform package. */
const PLATFORM_BINARY = path.posix.join('bin', 'medusa-auth-bridge');

/** `linux-x64` for Node's platform and arch. */
function platformKey(platform = process.platform, arch = process.arch) {
  return `${platform}-${arch}`;
}

/** `@medusa-auth-bridge/linux-x64` for a platform key. */
function platformPackageName(key = platformKey()) {
  return `${PLATFORM_SCOPE}/${key}`;
}

module.exports = { PLATFORM_SCOPE, PLATFORM_BINARY, platformKey, platformPackageName };
