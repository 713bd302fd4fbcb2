'use strict';
/**
 * Finds the bridge executable, in the order both clients share (CONTRACT.md, "Binary discovery"):
 * the `binary` option, then `MEDUSA_AUTH_BRIDGE`, then the release and the debug build of the source
 * checkout holding this package, then `PATH`. The first two are explicit choices, so a missing file
 * there is an error rather than a reason to look elsewhere. Like esbuild's `generateBinPath()`, a
 * failure lists every place searched and says how to fix it.
 */

const fs = require('node:fs');
const path = require('node:path');
const { BridgeNotFoundError } = require('./errors');

const EXECUTABLE = 'medusa-auth-bridge';
const ENV_VAR = 'MEDUSA_AUTH_BRIDGE';

/**
 * @param {{binary?: string, env?: NodeJS.ProcessEnv, from?: string}} [options]
 *   `env` and `from` (where the walk up to Package.swift starts) exist for tests.
 * @returns {string} an absolute path to an executable file
 */
function findBinary(options = {}) {
  const env = options.env ?? process.env;
  const searched = [];

  if (options.binary !== undefined) {
    return explicit(path.resolve(options.binary), 'the binary option', searched);
  }
  if (env[ENV_VAR]) {
    return explicit(path.resolve(env[ENV_VAR]), ENV_VAR, searched);
  }

  const checkout = findCheckout(options.from ?? __dirname);
  if (checkout) {
    for (const configuration of ['release', 'debug']) {
      const candidate = path.join(checkout, '.build', configuration, EXECUTABLE);
      searched.push(candidate);
      if (isExecutableFile(candidate)) return candidate;
    }
  } else {
    searched.push(`a source checkout (no Package.swift above ${options.from ?? __dirname})`);
  }

  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, EXECUTABLE);
    searched.push(candidate);
    if (isExecutableFile(candidate)) return candidate;
  }

  const build = checkout ? `run \`swift build -c release\` in ${checkout}, ` : '';
  throw new BridgeNotFoundError(
    `${EXECUTABLE} was not found; ${build}set ${ENV_VAR} to its path, or pass { binary }. Searched:\n` +
      searched.map((place) => `  ${place}`).join('\n'),
    { searched },
  );
}

/** An explicitly named binary must exist: falling back silently would run some other build. */
function explicit(candidate, source, searched) {
  searched.push(candidate);
  if (isExecutableFile(candidate)) return candidate;
  const problem = fs.existsSync(candidate) ? 'is not an executable file' : 'does not exist';
  throw new BridgeNotFoundError(`${EXECUTABLE} from ${source}: ${candidate} ${problem}`, { searched });
}

/** The nearest folder at or above `start` that holds Package.swift, or null. */
function findCheckout(start) {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'Package.swift'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function isExecutableFile(file) {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

module.exports = { findBinary, findCheckout, EXECUTABLE, ENV_VAR };
