'use strict';
// In-process checks that schema/openrpc.json, the client's method table, the runtime objects and
// index.d.ts agree. Nothing is spawned.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { Method, CLIENT_MEMBERS } = require('../lib/methods');
const { Bridge } = require('..');
const { PACKAGE_DIR, REPO_ROOT } = require('../test-support/helpers');

const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schema', 'openrpc.json'), 'utf8'));
const schemaMethods = schema.methods.map((method) => method.name).sort();
const declarations = fs.readFileSync(path.join(PACKAGE_DIR, 'index.d.ts'), 'utf8');

/** The text of `interface Name {...}` or `declare class Name {...}` in index.d.ts. */
function declarationOf(typeName) {
  const match = new RegExp(`^export (?:interface|declare class) ${typeName}\\b[^{]*\\{\\n([\\s\\S]*?)^\\}`, 'm').exec(declarations);
  assert.ok(match, `index.d.ts declares ${typeName}`);
  return match[1];
}

test('every method in schema/openrpc.json is in the client table, and the table has nothing else', () => {
  assert.deepEqual(Object.keys(CLIENT_MEMBERS).sort(), schemaMethods);
  assert.deepEqual(Object.values(Method).sort(), schemaMethods);
});

test('only $/cancelRequest has no public member: it is sent when a call aborts or times out', () => {
  const internal = Object.entries(CLIENT_MEMBERS).filter(([, member]) => member === null).map(([method]) => method);
  assert.deepEqual(internal, [Method.cancelRequest]);
  const notification = schema.methods.find((method) => method.name === Method.cancelRequest);
  assert.equal(notification['x-notification'], true);
});

test('every public member of the table exists on the runtime objects as a function', () => {
  const bridge = new Bridge();
  const instances = { Bridge: bridge, Session: bridge.session('alice'), AuthResource: bridge.auth };
  for (const [method, member] of Object.entries(CLIENT_MEMBERS)) {
    if (member === null) continue;
    const [typeName, name] = member.split('.');
    assert.equal(typeof instances[typeName][name], 'function', `${member} sends ${method}`);
  }
});

test('index.d.ts declares every public member, tagged with the wire method it sends', () => {
  for (const [method, member] of Object.entries(CLIENT_MEMBERS)) {
    if (member === null) continue;
    const [typeName, name] = member.split('.');
    const escaped = method.replace(/[.$/]/g, (c) => `\\${c}`);
    const tagged = new RegExp(`/\\*\\*\\s*@rpc ${escaped}\\s[\\s\\S]*?\\*/\\s*${name}\\(`);
    assert.match(declarationOf(typeName), tagged, `index.d.ts: ${member} tagged @rpc ${method}`);
  }
});

test('index.d.ts tags no method that the schema does not have', () => {
  const tags = [...declarations.matchAll(/@rpc (\S+)/g)].map((match) => match[1]);
  for (const tag of tags) assert.ok(schemaMethods.includes(tag), `@rpc ${tag} is in the schema`);
  assert.equal(new Set(tags).size, tags.length, 'each method is tagged once');
});

test('the result and error types the issue names are declared', () => {
  for (const name of ['Customer', 'StoreAuthRes', 'StoreBearerAuthRes', 'StoreGetAuthEmailRes', 'BridgeOptions', 'CallOptions', 'SessionInfo']) {
    assert.match(declarations, new RegExp(`^export (interface|type) ${name}\\b`, 'm'), name);
  }
  const errorClasses = Object.keys(require('..')).filter((name) => name.endsWith('Error'));
  assert.ok(errorClasses.length >= 18);
  for (const name of errorClasses) assert.match(declarations, new RegExp(`^export declare class ${name}\\b`, 'm'), name);
});

test('import and require expose the same names and the very same classes', async () => {
  const cjs = require('..');
  const esm = await import(pathToFileURL(path.join(PACKAGE_DIR, 'index.mjs')).href);
  assert.deepEqual(Object.keys(esm).sort(), Object.keys(cjs).sort());
  for (const name of Object.keys(cjs)) assert.equal(esm[name], cjs[name], name);
  for (const name of Object.keys(cjs)) assert.match(declarations, new RegExp(`^export declare (class|const) ${name}\\b`, 'm'), name);
});
