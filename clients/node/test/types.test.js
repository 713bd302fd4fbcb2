'use strict';
// index.d.ts under `tsc --strict`, as a TypeScript user meets it: a consumer using every kind of
// call type-checks from CommonJS and from ESM, and a consumer with typos in result field names
// fails with an error on each typo's line (the result types admit no field they do not name).
// Runs the TypeScript compiler (`tsc` on PATH, e.g. Debian's node-typescript) in a temporary
// project whose node_modules links to this package; bounded by TSC_TIMEOUT_MS.

const test = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { promisify } = require('node:util');
const { PACKAGE_DIR } = require('../test-support/helpers');

const run = promisify(execFile);
/** tsc checks these small files in 2-5 s on a busy 2-core machine; a minute means it hangs. */
const TSC_TIMEOUT_MS = 60_000;

const tsc = (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'tsc')).find((file) => fs.existsSync(file));
if (!tsc && process.env.CI === 'true') throw new Error('CI=true but tsc is not on PATH (Debian: apt-get install node-typescript); the declarations cannot be checked');
const skip = !tsc && 'tsc is not installed (Debian: apt-get install node-typescript)';

const COMPILER_OPTIONS = {
  strict: true,
  noEmit: true,
  module: 'node16',
  moduleResolution: 'node16',
  target: 'es2022',
  lib: ['es2022', 'dom'],
  types: [],
};

/** A project with the given files and this package installed (linked); tsc's diagnostics. */
async function typeCheck(t, files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mab-tsc-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(PACKAGE_DIR, path.join(dir, 'node_modules', 'medusa-auth-bridge'), 'dir');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: COMPILER_OPTIONS, files: Object.keys(files) }));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  try {
    await run(tsc, ['-p', dir, '--pretty', 'false'], { cwd: dir, timeout: TSC_TIMEOUT_MS });
    return [];
  } catch (error) {
    if (error.code === undefined || typeof error.code === 'string') throw error;
    return error.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
  }
}

test('a strict TypeScript consumer of every kind of call type-checks, from CommonJS and from ESM', { skip }, async (t) => {
  const diagnostics = await typeCheck(t, {
    'consumer.cts': `import { Bridge, UnauthorizedError, BridgeStartError, raw, type StoreAuthRes, type Customer } from 'medusa-auth-bridge';
export async function main(): Promise<string> {
  const bridge = new Bridge({ baseUrl: 'http://127.0.0.1:9000', maxRetries: 1, headers: { 'x-a': 'b' }, httpTimeout: 5000, stderr: 'ignore', authType: 'jwt' });
  const res: StoreAuthRes = await bridge.session('alice').auth.authenticate({ email: 'a', password: 'b' }, {}, { timeout: 5 });
  const customer: Customer = res.customer;
  const plugin: unknown = raw(customer).loyalty_points;
  const known: boolean = (await bridge.auth.exists('a', { signal: new AbortController().signal, session: 'x' })).exists;
  const isRegistered: boolean = await bridge.auth.emailExists('a');
  try { await bridge.auth.getSession(); } catch (error) {
    if (error instanceof UnauthorizedError) return String(error.status) + error.hint + error.method;
    if (error instanceof BridgeStartError) return String(error.stderr) + error.binary;
  }
  await bridge[Symbol.asyncDispose]();
  return customer.email + String(plugin) + String(known && isRegistered) + String(bridge.exitCode) + String(bridge.signal);
}
`,
    'consumer.mts': `import { Bridge, BridgeTimeoutError, type StoreBearerAuthRes, type StoreGetAuthEmailRes, type LocationRes } from 'medusa-auth-bridge';
const bridge = new Bridge({ exitTimeout: 1000, terminateTimeout: 1000, killTimeout: 1000, handshakeTimeout: 5000 });
const token: StoreBearerAuthRes = await bridge.auth.getToken({ email: 'a', password: 'b' });
const exists: StoreGetAuthEmailRes = await bridge.auth.exists('a');
const sessions = await bridge.sessions();
const login: string | LocationRes = await bridge.auth.login('customer', 'emailpass', { email: 'a', password: 'b' });
const jwt: string = typeof login === 'string' ? login : login.location;
const registered: string = await bridge.auth.register('customer', 'emailpass', { email: 'a', password: 'b' });
const created = await bridge.store.customer.create({ email: 'a', first_name: 'A' }, { fields: '*orders' });
const me = await bridge.session('s').store.customer.retrieve({ fields: 'email' }, { session: 's' });
const updated = await bridge.store.customer.update({ last_name: 'B' }, undefined, undefined, { timeout: 100 });
const signup = await bridge.auth.signup({ email: 'a', password: 'b', first_name: 'A' });
const refreshed: string = await bridge.auth.refresh();
const callback: string = await bridge.auth.callback('customer', 'google', { code: 'c', state: 's' });
await bridge.auth.resetPassword('customer', 'emailpass', { identifier: 'a' });
await bridge.auth.updateProvider('customer', 'emailpass', { password: 'n' }, 'reset-token');
const nothing: void = await bridge.auth.logout({ session: 's' });
export const all = [token.access_token, exists.exists, sessions[0]?.customerId, jwt, registered, created.customer.id,
  me.customer.addresses?.[0]?.city, updated.customer.last_name, signup.token, signup.customer.email, refreshed, callback, nothing, BridgeTimeoutError.name];
await bridge.close();
`,
  });
  assert.deepEqual(diagnostics, []);
});

test('a typo in a result field, a wrong argument or a bad option fails tsc --strict, one error per mistake', { skip }, async (t) => {
  const lines = [
    `import { Bridge } from 'medusa-auth-bridge';`,
    `const bridge = new Bridge();`,
    `const found = await bridge.auth.exists('a');`,
    `export const a = found.exist; // TYPO`,
    `const { customer } = await bridge.auth.getSession();`,
    `export const b = customer.frist_name; // TYPO`,
    `export const c = (await bridge.auth.getToken({ email: 'a', password: 'b' })).accessToken; // TYPO`,
    `export const d = (await bridge.store.customer.retrieve()).customer.emial; // TYPO`,
    `export const e = (await bridge.auth.signup({ email: 'a', password: 'b' })).tokn; // TYPO`,
    `export const f = (await bridge.start()).serverInfo.verison; // TYPO`,
    `new Bridge({ httpTimout: 5 }); // TYPO`,
    `new Bridge({ authType: 'cookie' }); // TYPO`,
    `await bridge.auth.login('admin', 'emailpass', { email: 'a', password: 'b' }); // TYPO`,
    `await bridge.store.customer.update({ email: 'new@example.com' }); // TYPO`,
    `if (bridge.auth.emailExists('a')) { /* a Promise is always truthy */ } // TYPO`,
  ];
  const diagnostics = await typeCheck(t, { 'typos.mts': lines.join('\n') + '\n' });
  const expected = lines.flatMap((line, index) => (line.endsWith('// TYPO') ? [index + 1] : []));
  const reported = [...new Set(diagnostics.map((line) => Number(/\((\d+),\d+\)/.exec(line)[1])))].sort((x, y) => x - y);
  assert.deepEqual(reported, expected, diagnostics.join('\n'));
});
