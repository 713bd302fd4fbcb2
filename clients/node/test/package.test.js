'use strict';
// The package as a user gets it: `npm pack`, then `npm install --offline` of the tarball into an
// empty project (no registry is reachable), then `require`, `import` and a call to the fake bridge
// from there; and the declarations type-checked from a TypeScript consumer when tsc is installed.
// Spawns npm, node and tsc; every run is bounded by COMMAND_TIMEOUT_MS.

const test = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { promisify } = require('node:util');
const { PACKAGE_DIR, FAKE_BRIDGE } = require('../test-support/helpers');

const run = promisify(execFile);
/** npm pack and an offline install of one local tarball take ~1-2 s; a minute means something hangs. */
const COMMAND_TIMEOUT_MS = 60_000;

function which(command) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, command)));
}

const npmMissing = !which('npm');
if (npmMissing && process.env.CI === 'true') throw new Error('CI=true but npm is not on PATH; the package cannot be checked');

/** Packs and installs once for every test in this file. */
let installed;
function install() {
  installed ??= (async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mab-pack-'));
    const env = { ...process.env, npm_config_cache: path.join(root, 'cache'), npm_config_update_notifier: 'false' };
    const options = { env, timeout: COMMAND_TIMEOUT_MS };
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', root], { ...options, cwd: PACKAGE_DIR });
    const [packed] = JSON.parse(stdout);
    const app = path.join(root, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', path.join(root, packed.filename)], { ...options, cwd: app });
    return { root, app, packed, options };
  })();
  return installed;
}

test.after(async () => {
  if (installed) fs.rmSync((await installed).root, { recursive: true, force: true });
});

test('npm pack ships the library, both entry points, the declarations and the README, and no tests', { skip: npmMissing && 'npm is not installed' }, async () => {
  const { packed } = await install();
  const files = packed.files.map((file) => file.path).sort();
  for (const file of ['README.md', 'index.d.mts', 'index.d.ts', 'index.mjs', 'lib/index.js', 'lib/connection.js', 'package.json']) {
    assert.ok(files.includes(file), `${file} is in the tarball`);
  }
  assert.deepEqual(files.filter((file) => /^test/.test(file)), []);
  assert.equal(packed.name, 'medusa-auth-bridge');
});

test('the tarball installs offline, has no dependencies, and loads from require and import alike', { skip: npmMissing && 'npm is not installed' }, async () => {
  const { app, options } = await install();
  const manifest = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', 'medusa-auth-bridge', 'package.json'), 'utf8'));
  assert.equal(manifest.dependencies, undefined);
  const script = `
    const cjs = require('medusa-auth-bridge');
    import('medusa-auth-bridge').then((esm) => {
      const same = Object.keys(cjs).every((name) => esm[name] === cjs[name]);
      console.log(JSON.stringify({ same, names: Object.keys(esm).length, bridge: typeof esm.Bridge }));
    });`;
  const { stdout } = await run(process.execPath, ['-e', script], { ...options, cwd: app });
  assert.deepEqual(JSON.parse(stdout), { same: true, names: Object.keys(require('..')).length, bridge: 'function' });
});

test('the installed package runs a call through a bridge and lets Node exit', { skip: npmMissing && 'npm is not installed' }, async () => {
  const { app, options } = await install();
  const script = `
    import { Bridge } from 'medusa-auth-bridge';
    const bridge = new Bridge({ binary: ${JSON.stringify(FAKE_BRIDGE)} });
    console.log(JSON.stringify(await bridge.auth.exists('a@example.com')));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { ...options, cwd: app });
  assert.deepEqual(JSON.parse(stdout), { exists: true });
});

test('the declarations type-check a strict TypeScript consumer, from CommonJS and from ESM', { skip: (npmMissing && 'npm is not installed') || (!which('tsc') && 'tsc is not installed') }, async () => {
  const { app, options } = await install();
  fs.writeFileSync(
    path.join(app, 'consumer.cts'),
    `import { Bridge, UnauthorizedError, type StoreAuthRes, type Customer } from 'medusa-auth-bridge';
     export async function main(): Promise<string> {
       const bridge = new Bridge({ baseUrl: 'http://127.0.0.1:9000', maxRetries: 1, headers: { 'x-a': 'b' } });
       const res: StoreAuthRes = await bridge.session('alice').auth.authenticate({ email: 'a', password: 'b' }, {}, { timeout: 5 });
       const customer: Customer = res.customer;
       try { await bridge.auth.getSession(); } catch (error) { if (error instanceof UnauthorizedError) return String(error.status); }
       await bridge[Symbol.asyncDispose]();
       return customer.email;
     }\n`,
  );
  fs.writeFileSync(
    path.join(app, 'consumer.mts'),
    `import { Bridge, BridgeTimeoutError, type StoreBearerAuthRes, type StoreGetAuthEmailRes } from 'medusa-auth-bridge';
     const bridge = new Bridge();
     const token: StoreBearerAuthRes = await bridge.auth.getToken({ email: 'a', password: 'b' });
     const exists: StoreGetAuthEmailRes = await bridge.auth.exists('a');
     const sessions = await bridge.sessions();
     const accessToken: string = token.access_token;
     const known: boolean = exists.exists;
     const customerId: string | null | undefined = sessions[0]?.customerId;
     export const all = [accessToken, known, customerId, BridgeTimeoutError.name];
     await bridge.close();\n`,
  );
  const args = ['--strict', '--noEmit', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', '--lib', 'es2022,dom', '--types', 'node'];
  // No @types/node offline: a minimal stub of what the consumers touch is enough.
  fs.mkdirSync(path.join(app, 'node_modules', '@types', 'node'), { recursive: true });
  fs.writeFileSync(path.join(app, 'node_modules', '@types', 'node', 'index.d.ts'), 'export {};\n');
  await run('tsc', [...args, 'consumer.cts', 'consumer.mts'], { ...options, cwd: app }).catch((error) => {
    assert.fail(`tsc reported:\n${error.stdout}${error.stderr}`);
  });
});
