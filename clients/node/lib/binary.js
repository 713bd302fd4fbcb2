'use strict';
/**
 * Finds the bridge executable, in the order both clients share: the `binary` option, then
 * `MEDUSA_AUTH_BRIDGE`, then the platform package (`@medusa-auth-bridge/linux-x64`, installed by npm
 * as an optional dependency of this one, as esbuild ships its binary), then the release and the
 * debug build of the source checkout holding this package, then `PATH`.
 *
 * The first two are explicit choices, so a missing file there is an error rather than a reason to
 * look elsewhere (a typo must not silently run another build). Like esbuild's `generateBinPath()`,
 * a failure lists every place searched, why each did not fit, and how to get a binary: the advice
 * depends on where this package is (a checkout can build one; an npm install cannot).
 */

const fs = require('node:fs');
const path = require('node:path');
const { BridgeNotFoundError } = require('./errors');
const { PLATFORM_BINARY, platformKey, platformPackageName } = require('./platform');

const EXECUTABLE = 'medusa-auth-bridge';
const ENV_VAR = 'MEDUSA_AUTH_BRIDGE';
const PACKAGE_DIR = path.resolve(__dirname, '..');
/** What the search says of a packaged binary that is there but cannot be run (same in Python). */
const NOT_EXECUTABLE = 'exists but is not executable (chmod +x it or reinstall)';

/**
 * @param {{binary?: string, env?: NodeJS.ProcessEnv, from?: string, platform?: string,
 *   resolvePackage?: (name: string) => string | null}} [options]
 *   `env`, `from` (where the walk up to Package.swift starts), `platform` (`linux-x64`) and
 *   `resolvePackage` (the folder of an installed package, or null) exist for tests.
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
  searched.push(`${ENV_VAR}: not set`);

  const key = options.platform ?? platformKey();
  const packageName = platformPackageName(key);
  const packageDir = (options.resolvePackage ?? resolveInstalled)(packageName);
  // The platform package installed, with its binary there but not executable: the install is
  // damaged, and the advice is to repair it, not to install what is installed.
  let notExecutable = null;
  if (packageDir) {
    const candidate = path.join(packageDir, PLATFORM_BINARY);
    const why = whyNot(candidate);
    if (!why) return candidate;
    if (why === 'is not executable') notExecutable = candidate;
    searched.push(`${packageName}: installed at ${packageDir}, but ${candidate} ${notExecutable ? NOT_EXECUTABLE : why}`);
  } else {
    searched.push(`${packageName}: not installed`);
  }

  const from = options.from ?? __dirname;
  const checkout = findCheckout(from);
  if (checkout) {
    for (const configuration of ['release', 'debug']) {
      const candidate = path.join(checkout, '.build', configuration, EXECUTABLE);
      const why = whyNot(candidate);
      if (!why) return candidate;
      searched.push(`${candidate}: ${why}`);
    }
  } else {
    searched.push(`a source checkout: no Package.swift in ${path.resolve(from)} or above`);
  }

  const dirs = (env.PATH ?? '').split(path.delimiter).filter((dir) => dir !== '');
  for (const dir of dirs) {
    const candidate = path.join(dir, EXECUTABLE);
    if (!whyNot(candidate)) return candidate;
  }
  searched.push(`PATH: no executable ${EXECUTABLE} in ${dirs.length ? dirs.join(path.delimiter) : '(empty)'}`);

  const fix = notExecutable
    ? `make ${notExecutable} executable (chmod +x) or reinstall ${packageName}`
    : checkout
    ? `build it with \`swift build -c release\` in ${checkout}`
    : `install ${packageName}, which npm installs with medusa-auth-bridge unless optional dependencies ` +
      `are left out (--omit=optional, --no-optional); if none is published for ${key}, build the bridge from its source repository`;
  throw new BridgeNotFoundError(
    `${EXECUTABLE} was not found. To get one, ${fix}; or set ${ENV_VAR} to its path, or pass { binary }. Searched:\n` +
      searched.map((place) => `  ${place}`).join('\n'),
    { searched },
  );
}

/** An explicitly named binary must exist: falling back silently would run some other build. */
function explicit(candidate, source, searched) {
  const why = whyNot(candidate);
  if (!why) return candidate;
  searched.push(`${source}: ${candidate} ${why}`);
  throw new BridgeNotFoundError(`${EXECUTABLE} from ${source}: ${candidate} ${why}`, { searched });
}

/** The folder of an installed package, found as Node's require would from this package; or null. */
function resolveInstalled(name) {
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: [PACKAGE_DIR] }));
  } catch {
    return null;
  }
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

/** Why `file` cannot be run (a phrase), or null when it can. */
function whyNot(file) {
  let stat;
  try {
    stat = fs.statSync(file);
  } catch {
    return 'does not exist';
  }
  if (!stat.isFile()) return 'is not a file';
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return null;
  } catch {
    return 'is not executable';
  }
}

module.exports = { findBinary, findCheckout, EXECUTABLE, ENV_VAR };
