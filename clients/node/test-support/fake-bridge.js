#!/usr/bin/env node
'use strict';
/**
 * A fake medusa-auth-bridge for the client's unit tests: speaks the same NDJSON JSON-RPC, keeps
 * sessions in memory, and misbehaves on request so the client's failure paths can be driven.
 *
 * Configured like the real bridge, by `--header 'Name: value'` flags (the client's `headers` option):
 *   x-fake-init: version:<v> | reject | silent | exit:<code> | usage | noinfo   how to answer `initialize`
 *     usage: write a usage error on stderr and exit 64, as the real bridge does for a bad option
 *     noinfo: answer with a result that has no serverInfo (not a bridge's answer)
 *   x-fake-log: stderr                write `fake-bridge received <method> <id or params.id>` on stderr for each message
 *   x-fake-eof: ignore                keep running after stdin ends (close() must escalate)
 *   x-fake-sigterm: ignore            ignore SIGTERM too (close() must SIGKILL)
 * Per call, by `customHeaders`:
 *   x-fake: die | hang | late:<ms> | gate:<n> | error | garbage | big:<bytes> | u2028 | env
 *     env: answer with the fake's own environment (to check what the client passes on)
 *     gate:<n> holds the answer until n gated requests are in flight at once, then answers them
 *     all: a client that waits for each answer before sending the next request never gets one.
 *   x-fake-code / x-fake-data         the error's code and JSON data, with `x-fake: error`
 * `rpc.discover` answers with every message received so far under `x-fake-received`, so a test can
 * see what the client put on the wire (messages are read in order, so an earlier cancel is there).
 */

const config = {};
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--header') {
    const [name, ...rest] = process.argv[++i].split(':');
    config[name.trim().toLowerCase()] = rest.join(':').trim();
  }
}
const init = config['x-fake-init'] ?? 'version:1.0';
if (init.startsWith('exit:')) process.exit(Number(init.slice(5)));
if (init === 'usage') {
  process.stderr.write("--base-url must be an http or https URL without query, not 'nowhere'\n");
  process.exit(64);
}
if (config['x-fake-sigterm'] === 'ignore') process.on('SIGTERM', () => {});

const received = [];
const sessions = new Map();
const inFlight = new Map(); // id -> timer (or null for hang)
let gated = [];
let stdinEnded = false;

function send(message) {
  process.stdout.write(JSON.stringify(message) + '\n');
}
function answer(id, result) {
  inFlight.delete(id);
  send({ jsonrpc: '2.0', id, result });
  maybeExit();
}
function fail(id, code, message, data) {
  inFlight.delete(id);
  send({ jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } });
  maybeExit();
}
function maybeExit() {
  if (stdinEnded && inFlight.size === 0 && config['x-fake-eof'] !== 'ignore') process.exit(0);
}
function session(name) {
  if (!sessions.has(name)) sessions.set(name, { name, hasCookie: false, hasToken: false, customerId: null });
  return sessions.get(name);
}
function customer(email) {
  return { id: 'cus_fake', email, first_name: null, last_name: null, has_account: true, orders: [], shipping_addresses: [] };
}

function handle(message) {
  received.push(message);
  if (config['x-fake-log'] === 'stderr') {
    process.stderr.write(`fake-bridge received ${message.method} ${message.id ?? message.params?.id}\n`);
  }
  const { id, method, params = {} } = message;
  if (method === '$/cancelRequest') {
    const timer = inFlight.get(params.id);
    if (inFlight.has(params.id)) {
      clearTimeout(timer);
      fail(params.id, -32800, 'Request cancelled');
    }
    return;
  }
  if (id === undefined) return;
  const mode = params.customHeaders?.['x-fake'] ?? '';
  if (mode === 'die') process.exit(3);
  if (mode === 'hang') return void inFlight.set(id, null);
  if (mode.startsWith('late:')) {
    inFlight.set(id, setTimeout(() => respond(id, method, params, ''), Number(mode.slice(5))));
    return;
  }
  inFlight.set(id, null);
  if (mode.startsWith('gate:')) {
    gated.push([id, method, params]);
    if (gated.length < Number(mode.slice(5))) return;
    const released = gated;
    gated = [];
    for (const [gatedId, gatedMethod, gatedParams] of released) respond(gatedId, gatedMethod, gatedParams, '');
    return;
  }
  respond(id, method, params, mode);
}

function respond(id, method, params, mode) {
  const s = method.startsWith('auth.') || method === 'session.clear' ? session(params.session ?? 'default') : null;
  if (mode === 'error') {
    return fail(id, Number(params.customHeaders['x-fake-code']), 'Fake error', JSON.parse(params.customHeaders['x-fake-data'] ?? 'null') ?? undefined);
  }
  if (mode === 'env') return answer(id, { env: process.env });
  if (mode === 'garbage') process.stdout.write('this is not JSON\n{"jsonrpc":"2.0","id":"nobody","result":{}}\n');
  switch (method) {
    case 'initialize':
      if (init === 'silent') return;
      if (init === 'noinfo') return answer(id, { protocolVersion: '1.0' });
      if (init === 'reject') return fail(id, -32602, 'Unsupported protocol version', { supported: ['0.9'], requested: params.protocolVersion });
      return answer(id, { protocolVersion: init.slice('version:'.length), serverInfo: { name: 'medusa-auth-bridge', version: '0.0.0-fake' } });
    case 'auth.authenticate':
    case 'auth.getToken':
      if (params.password !== 'secret') return fail(id, -32001, 'Medusa answered with an error status', { status: 401, body: 'Unauthorized' });
      s.customerId = 'cus_fake';
      if (method === 'auth.getToken') {
        s.hasToken = true;
        return answer(id, { access_token: 'fake.jwt.token' });
      }
      s.hasCookie = true;
      if (mode.startsWith('big:')) return answer(id, { customer: { ...customer(params.email), blob: 'x'.repeat(Number(mode.slice(4))) } });
      if (mode === 'u2028') return answer(id, { customer: { ...customer(params.email), first_name: 'a\u2028b\u2029c' } });
      return answer(id, { customer: customer(params.email) });
    case 'auth.getSession':
      if (!s.hasCookie && !s.hasToken) return fail(id, -32001, 'Medusa answered with an error status', { status: 401, body: 'Unauthorized' });
      return answer(id, { customer: customer('someone@example.com') });
    case 'auth.deleteSession':
    case 'session.clear':
      Object.assign(s, { hasCookie: false, hasToken: false, customerId: null });
      return answer(id, {});
    case 'auth.exists':
      return answer(id, { exists: params.email !== 'nobody@example.com' });
    // Medusa v2, by name only: answers shaped as the bridge's, with what was asked echoed where useful.
    case 'auth.login':
      if (params.provider === 'google') return answer(id, { location: 'https://accounts.example.com/o/oauth2?state=fake' });
      if (params.password !== 'secret') return fail(id, -32001, 'Medusa answered 401', { status: 401, type: 'unauthorized', message: 'Invalid email or password' });
      s.hasToken = true;
      return answer(id, { token: 'fake.v2.login' });
    case 'auth.register':
      s.hasToken = true;
      return answer(id, { token: 'fake.v2.register' });
    case 'auth.callback':
      s.hasToken = true;
      return answer(id, { token: `fake.v2.callback.${params.query?.code}` });
    case 'auth.refresh':
      return answer(id, { token: 'fake.v2.refreshed' });
    case 'auth.logout':
      Object.assign(s, { hasCookie: false, hasToken: false, customerId: null });
      return answer(id, {});
    case 'auth.resetPassword':
    case 'auth.updateProvider':
      return answer(id, {});
    case 'auth.signup':
      return answer(id, { customer: { id: 'cus_fake_v2', email: params.email, first_name: params.first_name ?? null }, token: 'fake.v2.signup' });
    case 'store.customer.create':
    case 'store.customer.update':
    case 'store.customer.retrieve':
      return answer(id, { customer: { id: 'cus_fake_v2', email: params.email ?? 'someone@example.com', first_name: params.first_name ?? null } });
    case 'session.list':
      return answer(id, { sessions: [...sessions.values()] });
    case 'ping':
      return answer(id, {});
    case 'rpc.discover':
      return answer(id, { openrpc: '1.3.2', methods: [], 'x-fake-received': received });
    default:
      return fail(id, -32601, 'Method not found', { method });
  }
}

let pieces = [];
process.stdin.on('data', (chunk) => {
  let start = 0;
  let newline;
  while ((newline = chunk.indexOf(10, start)) !== -1) {
    pieces.push(chunk.subarray(start, newline));
    const line = Buffer.concat(pieces).toString('utf8');
    pieces = [];
    start = newline + 1;
    if (line.trim() !== '') handle(JSON.parse(line));
  }
  if (start < chunk.length) pieces.push(chunk.subarray(start));
});
process.stdin.on('end', () => {
  stdinEnded = true;
  // Node would exit by itself once stdin is gone and nothing else is pending; a bridge that
  // ignores EOF is simulated by keeping a timer alive.
  if (config['x-fake-eof'] === 'ignore') setInterval(() => {}, 60_000);
  maybeExit();
});
