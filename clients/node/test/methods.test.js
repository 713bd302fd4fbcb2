'use strict';
// In-process checks that the one method table (lib/methods.js), the runtime objects, index.d.ts and
// schema/openrpc.json agree: every wire method has a member, every member exists and is declared
// once with the same arguments, and the params a member sends are ones the schema names.
// Nothing is spawned: members are called with a recording `send`.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { Method, SESSION_METHODS, RESOURCE_TYPES, PLUMBING_MEMBERS } = require('../lib/methods');
const { buildResources } = require('../lib/resources');
const { Bridge } = require('..');
const { PACKAGE_DIR, REPO_ROOT } = require('../test-support/helpers');

const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schema', 'openrpc.json'), 'utf8'));
const schemaMethods = schema.methods.map((method) => method.name).sort();
// index.d.ts re-exports errors.d.ts; both are read as one text.
const declarations = ['index.d.ts', 'errors.d.ts'].map((file) => fs.readFileSync(path.join(PACKAGE_DIR, file), 'utf8')).join('\n');

/** The text of `interface Name {...}` or `declare class Name {...}` in index.d.ts. */
function declarationOf(typeName) {
  const match = new RegExp(`^export (?:interface|declare class) ${typeName}\\b[^{]*\\{\\n([\\s\\S]*?)^\\}`, 'm').exec(declarations);
  assert.ok(match, `index.d.ts declares ${typeName}`);
  return match[1];
}

/** `Type.member` for a table entry (`auth.exists` -> `AuthResource.exists`). */
function typedMember(spec) {
  const parts = spec.member.split('.');
  const name = parts.pop();
  return [RESOURCE_TYPES[parts.join('.')], name];
}

/** The param names of a schema method, resolving `$ref`s to content descriptors. */
function schemaParams(name) {
  const method = schema.methods.find((m) => m.name === name);
  return method.params.map((param) => (param.$ref ? schema.components.contentDescriptors[param.$ref.split('/').pop()] : param).name);
}

/** The parameters of a signature's text, split at commas outside <...> and {...}. */
function topLevelParams(text) {
  const params = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if ('<{['.includes(char)) depth++;
    if ('>}]'.includes(char)) depth--;
    if (char === ',' && depth === 0) {
      params.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (current.trim()) params.push(current);
  return params.map((param) => param.trim());
}

/** One sample call per member: arguments that must be accepted, and the params they must send. */
const SAMPLES = {
  'auth.authenticate': [[{ email: 'a@b.c', password: 'p', extra: 'x' }, { 'x-a': '1' }], { email: 'a@b.c', password: 'p', customHeaders: { 'x-a': '1' } }],
  'auth.getSession': [[{ 'x-a': '1' }], { customHeaders: { 'x-a': '1' } }],
  'auth.deleteSession': [[], {}],
  'auth.exists': [['a@b.c'], { email: 'a@b.c' }],
  'auth.emailExists': [['a@b.c'], { email: 'a@b.c' }],
  'auth.getToken': [[{ email: 'a@b.c', password: 'p' }], { email: 'a@b.c', password: 'p' }],
  'auth.login': [['customer', 'emailpass', { email: 'a@b.c', password: 'p' }], { email: 'a@b.c', password: 'p' }],
  'auth.register': [['customer', 'emailpass', { email: 'a@b.c', password: 'p' }], { email: 'a@b.c', password: 'p' }],
  'auth.callback': [['customer', 'google', { code: 'c', state: 's' }], { provider: 'google', query: { code: 'c', state: 's' } }],
  'auth.refresh': [[{ 'x-a': '1' }], { customHeaders: { 'x-a': '1' } }],
  'auth.logout': [[], {}],
  'auth.resetPassword': [['customer', 'emailpass', { identifier: 'a@b.c' }], { provider: 'emailpass', identifier: 'a@b.c' }],
  'auth.updateProvider': [['customer', 'emailpass', { password: 'n' }, 'reset-token'], { password: 'n', token: 'reset-token' }],
  'auth.signup': [[{ email: 'a@b.c', password: 'p', first_name: 'A' }], { email: 'a@b.c', password: 'p', first_name: 'A' }],
  'store.customer.create': [[{ email: 'a@b.c', first_name: 'A' }, { fields: '*orders' }], { email: 'a@b.c', first_name: 'A', fields: '*orders' }],
  'store.customer.retrieve': [[{ fields: 'email' }, { 'x-a': '1' }], { fields: 'email', customHeaders: { 'x-a': '1' } }],
  'store.customer.update': [[{ first_name: 'B' }], { first_name: 'B' }],
};

test('every method in schema/openrpc.json is sent by a member of the table, and the table sends nothing else', () => {
  const sent = new Set([...SESSION_METHODS.map((spec) => spec.wire), ...Object.keys(PLUMBING_MEMBERS)]);
  assert.deepEqual([...sent].sort(), schemaMethods);
  assert.deepEqual(Object.values(Method).sort(), schemaMethods);
});

test('only $/cancelRequest has no public member: it is sent when a call aborts, times out or is closed', () => {
  const internal = Object.entries(PLUMBING_MEMBERS).filter(([, member]) => member === null).map(([method]) => method);
  assert.deepEqual(internal, [Method.cancelRequest]);
  const notification = schema.methods.find((method) => method.name === Method.cancelRequest);
  assert.equal(notification['x-notification'], true);
});

test('every member of the table exists on the runtime objects as a function, on bridge and on a session alike', () => {
  const bridge = new Bridge();
  const session = bridge.session('alice');
  for (const spec of SESSION_METHODS) {
    const parts = spec.member.split('.');
    const onBridge = parts.reduce((node, part) => node?.[part], bridge);
    const onSession = parts.reduce((node, part) => node?.[part], session);
    assert.equal(typeof onBridge, 'function', `bridge.${spec.member}`);
    assert.equal(typeof onSession, 'function', `session.${spec.member}`);
    assert.equal(onBridge.name, parts.at(-1));
  }
  const instances = { Bridge: bridge, Session: session };
  for (const member of Object.values(PLUMBING_MEMBERS).filter(Boolean)) {
    const [typeName, name] = member.split('.');
    assert.equal(typeof instances[typeName][name], 'function', member);
  }
});

test('each member sends the params its sample gives, all of them named by the schema, with the session', async () => {
  assert.deepEqual(Object.keys(SAMPLES).sort(), SESSION_METHODS.map((spec) => spec.member).sort(), 'a sample per member');
  const sent = [];
  const resources = buildResources('alice', (method, params) => {
    sent.push({ method, params });
    return Promise.resolve({ token: 't', exists: true, customer: {} });
  });
  for (const spec of SESSION_METHODS) {
    const [args, params] = SAMPLES[spec.member];
    const member = spec.member.split('.').reduce((node, part) => node[part], resources);
    await member(...args);
    const last = sent.at(-1);
    assert.equal(last.method, spec.wire, spec.member);
    assert.deepEqual(last.params, { ...params, session: 'alice' }, spec.member);
    for (const name of Object.keys(last.params)) assert.ok(schemaParams(spec.wire).includes(name), `${spec.wire} takes ${name}`);
  }
});

test('index.d.ts declares every member once, tagged with its wire method, with the table\'s arguments then options', () => {
  const members = [
    ...SESSION_METHODS.map((spec) => [spec, ...typedMember(spec)]),
    ...Object.entries(PLUMBING_MEMBERS)
      .filter(([, member]) => member)
      .map(([wire, member]) => [{ wire, args: null }, ...member.split('.')]),
  ];
  for (const [spec, typeName, name] of members) {
    const escaped = spec.wire.replace(/[.$/]/g, (c) => `\\${c}`);
    const tagged = new RegExp(`/\\*\\*[\\s*]*@rpc ${escaped}\\s[\\s\\S]*?\\*/\\s*${name}\\(([^)]*)\\)`, 'g');
    const found = [...declarationOf(typeName).matchAll(tagged)];
    assert.equal(found.length, 1, `index.d.ts: ${typeName}.${name} tagged @rpc ${spec.wire}, once`);
    if (!spec.args) continue;
    const names = topLevelParams(found[0][1]).map((param) => param.split(/\??:/)[0].trim());
    assert.deepEqual(names, [...spec.args.map((kind) => kind.name), 'options'], `${typeName}.${name}'s arguments`);
  }
});

test('index.d.ts tags no method that the schema does not have', () => {
  const tags = [...declarations.matchAll(/@rpc (\S+)/g)].map((match) => match[1]);
  for (const tag of tags) assert.ok(schemaMethods.includes(tag), `@rpc ${tag} is in the schema`);
  assert.equal(tags.length, SESSION_METHODS.length + Object.values(PLUMBING_MEMBERS).filter(Boolean).length, 'one tag per member');
});

test('the result and error types are declared, and every exported error class too', () => {
  for (const name of ['Customer', 'StoreAuthRes', 'StoreBearerAuthRes', 'StoreGetAuthEmailRes', 'StoreCustomer', 'StoreCustomerRes', 'SignupRes', 'BridgeOptions', 'CallOptions', 'SessionInfo']) {
    assert.match(declarations, new RegExp(`^export (interface|type) ${name}\\b`, 'm'), name);
  }
  const errorClasses = Object.keys(require('..')).filter((name) => name.endsWith('Error'));
  assert.ok(errorClasses.length >= 19);
  for (const name of errorClasses) assert.match(declarations, new RegExp(`^export declare class ${name}\\b`, 'm'), name);
});

test('no result type of index.d.ts admits any field name: typos must not type-check', () => {
  assert.doesNotMatch(declarations, /\[\s*\w+\s*:\s*string\s*\]\s*:\s*unknown/);
});

test('import and require expose the same names and the very same classes', async () => {
  const cjs = require('..');
  const esm = await import(pathToFileURL(path.join(PACKAGE_DIR, 'index.mjs')).href);
  assert.deepEqual(Object.keys(esm).sort(), Object.keys(cjs).sort());
  for (const name of Object.keys(cjs)) assert.equal(esm[name], cjs[name], name);
  for (const name of Object.keys(cjs)) assert.match(declarations, new RegExp(`^export declare (class|const|function) ${name}\\b`, 'm'), name);
});
