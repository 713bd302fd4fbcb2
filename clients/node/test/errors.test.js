'use strict';
// In-process tests of the error table: wire error objects in, error instances out.

const test = require('node:test');
const assert = require('node:assert/strict');
const errors = require('../lib/errors');
const { errorFromWire, ErrorCode } = errors;

test('every JSON-RPC code of the contract maps to its class', () => {
  const table = [
    [-32700, 'ParseError', 'ProtocolError'],
    [-32600, 'InvalidRequestError', 'ProtocolError'],
    [-32601, 'MethodNotFoundError', 'ProtocolError'],
    [-32602, 'InvalidParamsError', 'ProtocolError'],
    [-32603, 'InternalError', 'ProtocolError'],
    [-32001, 'MedusaError', 'BridgeError'],
    [-32002, 'BridgeUnreachableError', 'BridgeError'],
    [-32003, 'BadResponseError', 'BridgeError'],
    [-32800, 'CancelledError', 'BridgeError'],
  ];
  for (const [code, name, parent] of table) {
    const error = errorFromWire({ code, message: 'm' });
    assert.equal(error.constructor.name, name, `code ${code}`);
    assert.equal(error.name, name);
    assert.ok(error instanceof errors[parent], `${name} is a ${parent}`);
    assert.ok(error instanceof errors.BridgeError);
    assert.equal(error.code, code);
  }
});

test('an unknown code becomes the base BridgeError, keeping code and data', () => {
  const error = errorFromWire({ code: -31999, message: 'odd', data: { x: 1 } });
  assert.equal(error.constructor, errors.BridgeError);
  assert.equal(error.code, -31999);
  assert.deepEqual(error.data, { x: 1 });
});

test('a Medusa 401 is an UnauthorizedError carrying status and body', () => {
  const error = errorFromWire({ code: -32001, message: 'Medusa answered with an error status', data: { status: 401, body: 'Unauthorized' } }, 'auth.getSession');
  assert.ok(error instanceof errors.UnauthorizedError);
  assert.ok(error instanceof errors.MedusaError);
  assert.equal(error.status, 401);
  assert.equal(error.body, 'Unauthorized');
  assert.equal(error.medusaMessage, undefined);
  assert.equal(error.message, 'auth.getSession: Medusa answered 401 Unauthorized');
});

test("a Medusa 404 is a NotFoundError and a 400 a plain MedusaError with Medusa's type, message and code", () => {
  assert.ok(errorFromWire({ code: -32001, message: 'm', data: { status: 404 } }) instanceof errors.NotFoundError);
  const error = errorFromWire({ code: -32001, message: 'm', data: { status: 400, type: 'invalid_data', message: 'email must be an email', code: 'x_code' } });
  assert.equal(error.constructor, errors.MedusaError);
  assert.equal(error.type, 'invalid_data');
  assert.equal(error.medusaMessage, 'email must be an email');
  assert.equal(error.medusaCode, 'x_code');
  assert.equal(error.code, ErrorCode.MEDUSA_HTTP_ERROR);
});

test('a redirect names where it points, and a 407 names the proxy, not Medusa', () => {
  const moved = errorFromWire({ code: -32001, message: 'm', data: { status: 301, body: '', location: 'https://shop.example/' } }, 'auth.exists', 'default');
  assert.equal(moved.location, 'https://shop.example/');
  assert.equal(moved.message, "auth.exists in session 'default': Medusa answered 301 (Location: https://shop.example/)");
  const proxy = errorFromWire({ code: -32001, message: 'm', data: { status: 407, body: '' } }, 'ping');
  assert.equal(proxy.message, 'ping: A proxy between the bridge and Medusa answered 407');
  assert.equal(proxy.location, undefined);
});

test('an unreachable backend error exposes reason, attempts and detail', () => {
  const error = errorFromWire({ code: -32002, message: 'No answer from Medusa', data: { reason: 'refused', attempts: 3, detail: 'http://127.0.0.1:9 refused the connection' } }, 'auth.exists', 'default');
  assert.deepEqual([error.reason, error.attempts, error.detail], ['refused', 3, 'http://127.0.0.1:9 refused the connection']);
  assert.equal(error.message, "auth.exists in session 'default': No answer from Medusa (refused) after 3 attempts: http://127.0.0.1:9 refused the connection");
  assert.deepEqual([error.method, error.session], ['auth.exists', 'default']);
});

test('a bad response that broke HTTP framing exposes detail and ends its message with it; a bad body keeps status and body', () => {
  const framing = errorFromWire(
    { code: -32003, message: "Medusa's answer broke HTTP's framing", data: { detail: 'the answer has several Content-Length values that differ' } },
    'auth.getSession',
    'default',
  );
  assert.ok(framing instanceof errors.BadResponseError);
  assert.equal(framing.detail, 'the answer has several Content-Length values that differ');
  assert.equal(
    framing.message,
    "auth.getSession in session 'default': Medusa's answer broke HTTP's framing: the answer has several Content-Length values that differ",
  );
  const body = errorFromWire(
    { code: -32003, message: 'Medusa answered 200 with a body that is not the JSON expected', data: { status: 200, body: '<html>' } },
    'ping',
  );
  assert.deepEqual([body.status, body.body, body.detail], [200, '<html>', undefined]);
  assert.equal(body.message, 'ping: Medusa answered 200 with a body that is not the JSON expected');
});

test('messages say once what happened, led by the method and the session, without the wire message in parentheses', () => {
  const error = errorFromWire(
    { code: -32001, message: 'Medusa answered 400: email must be an email', data: { status: 400, type: 'invalid_data', message: 'email must be an email' } },
    'auth.login',
    'alice',
  );
  assert.equal(error.message, "auth.login in session 'alice': Medusa answered 400 invalid_data: email must be an email");
  const params = errorFromWire({ code: -32602, message: "Invalid params: 'email' must be a string", data: { field: 'email' } }, 'ping');
  assert.equal(params.message, "ping: Invalid params: 'email' must be a string");
  assert.equal(params.session, undefined);
});

test('a failed auth.signup step is named in the message and kept as step', () => {
  const error = errorFromWire(
    { code: -32001, message: 'm', data: { status: 401, type: 'unauthorized', message: 'Identity with email already exists', step: 'register' } },
    'auth.signup',
    'sam',
  );
  assert.equal(error.step, 'register');
  assert.equal(error.message, "auth.signup in session 'sam', step register: Medusa answered 401 unauthorized: Identity with email already exists");
  assert.equal(errorFromWire({ code: -32001, message: 'm', data: { status: 401 } }, 'auth.login', 'a').step, undefined);
});

test("a Medusa error's hint, that the backend looks like the other Medusa version, is kept and shown", () => {
  const hint = 'the backend looks like Medusa v2: use auth.login, auth.register and store.customer.*';
  const error = errorFromWire({ code: -32001, message: 'm', data: { status: 404, message: 'Cannot GET /store/auth', hint } }, 'auth.getSession', 'default');
  assert.equal(error.hint, hint);
  assert.equal(error.message, `auth.getSession in session 'default': Medusa answered 404 Cannot GET /store/auth (${hint})`);
});

test('a bad response error exposes status and body, and invalid params name the field', () => {
  const said = 'Medusa answered 200 with a body longer than the 16 MiB the bridge reads';
  const bad = errorFromWire({ code: -32003, message: said, data: { status: 200, body: '{"customer":' } }, 'auth.getSession');
  assert.deepEqual([bad.status, bad.body], [200, '{"customer":']);
  assert.equal(bad.message, `auth.getSession: ${said}`);
  const params = errorFromWire({ code: -32602, message: "Invalid params: 'email' is required", data: { field: 'email' } });
  assert.equal(params.field, 'email');
});

test('a malformed wire error still yields a BridgeError instead of throwing', () => {
  for (const wire of [null, 'text', [], { message: 5 }]) assert.ok(errorFromWire(wire) instanceof errors.BridgeError);
});

test('abort and timeout errors carry the names fetch-style code checks for', () => {
  const reason = new Error('stop');
  const abort = new errors.BridgeAbortError(undefined, { cause: reason });
  assert.equal(abort.name, 'AbortError');
  assert.equal(abort.code, 'ABORT_ERR');
  assert.equal(abort.cause, reason);
  const timeout = new errors.BridgeTimeoutError('slow', { timeout: 5 });
  assert.equal(timeout.name, 'TimeoutError');
  assert.equal(timeout.timeout, 5);
  assert.ok(abort instanceof errors.BridgeError && timeout instanceof errors.BridgeError);
});

test('the client-side errors keep what they were built with', () => {
  assert.deepEqual(new errors.BridgeNotFoundError('m', { searched: ['a', 'b'] }).searched, ['a', 'b']);
  const closed = new errors.BridgeClosedError('m', { exitCode: 3, signal: null, stderr: 'last line' });
  assert.deepEqual([closed.exitCode, closed.signal, closed.stderr, closed.name], [3, null, 'last line', 'BridgeClosedError']);
  const start = new errors.BridgeStartError('m', { exitCode: 64, binary: '/bin/x' });
  assert.ok(start instanceof errors.BridgeClosedError);
  assert.deepEqual([start.binary, start.exitCode, start.signal, start.stderr], ['/bin/x', 64, null, null]);
  const version = new errors.BridgeVersionError('m', { clientVersion: '1.0', bridgeVersion: '2.0' });
  assert.deepEqual([version.clientVersion, version.bridgeVersion], ['1.0', '2.0']);
});
