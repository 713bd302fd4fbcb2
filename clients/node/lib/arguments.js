'use strict';
/**
 * The kinds of argument the public methods take, each turning one positional argument into
 * by-name wire params (the bridge's contract). lib/methods.js lists, per method, which kinds in
 * which order; lib/resources.js applies them.
 *
 * Each kind is `{ name, optional, optionsAlike, read(value, call) }`, where `call` collects
 * `params` (the wire params) and `headers` (the call's custom headers) and `label` names the
 * method in errors. `optionsAlike` marks an optional object argument that the call options may
 * stand in for when they are the last argument given (`exists(email, { signal })`).
 */

const { checkHeaders } = require('./options');

/** The provider js-sdk and the bridge use when none is named: email and password. */
const EMAILPASS = 'emailpass';

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireObject(value, call, what) {
  if (!isPlainObject(value)) throw new TypeError(`${call.label}: ${what} must be an object`);
  return value;
}

/** medusa-js's `customHeaders`, js-sdk's `headers`: for this call only, over the configured ones. */
const headers = (name) => ({
  name,
  optional: true,
  optionsAlike: true,
  read(value, call) {
    if (value === undefined || value === null) return;
    checkHeaders(value, `${call.label}: ${name}`);
    call.headers = value;
  },
});

/** A required string copied into the params under `wireName`. */
const string = (name, wireName = name) => ({
  name,
  read(value, call) {
    if (typeof value !== 'string') throw new TypeError(`${call.label}: ${name} must be a string`);
    call.params[wireName] = value;
  },
});

/**
 * medusa-js's `{ email, password }` payload (v1). Only those two are copied: a payload object with
 * other keys (a whole form) must not leak them to the wire.
 */
const credentials = {
  name: 'payload',
  read(value, call) {
    requireObject(value, call, 'payload (like { email, password })');
    call.params.email = value.email;
    call.params.password = value.password;
  },
};

/** js-sdk's `actor`: the bridge drives the customer actor only (Medusa's store customer auth). */
const actor = {
  name: 'actor',
  read(value, call) {
    if (value !== 'customer') throw new TypeError(`${call.label}: actor must be "customer" (the bridge drives customer auth), not ${JSON.stringify(value)}`);
  },
};

/** js-sdk's `method` / `provider`: the auth provider, `emailpass` or another (`google`, ...). */
const provider = (name) => ({
  name,
  read(value, call) {
    if (typeof value !== 'string' || !/^[A-Za-z0-9_-]+$/.test(value)) {
      throw new TypeError(`${call.label}: ${name} must be a provider name such as "emailpass", not ${JSON.stringify(value)}`);
    }
    call.provider = value;
  },
});

/**
 * The body for a provider: `email` and `password` for emailpass (the bridge's params), the whole
 * object as `payload` with `provider` for any other.
 */
const providerPayload = (name, emailpassFields) => ({
  name,
  read(value, call) {
    requireObject(value, call, name);
    if (call.provider === EMAILPASS) {
      for (const field of emailpassFields) if (value[field] !== undefined) call.params[field] = value[field];
    } else {
      call.params.provider = call.provider;
      call.params.payload = value;
    }
  },
});

/** The provider, sent by name for the methods whose params take it (callback, reset, update). */
function sendProvider(call) {
  call.params.provider = call.provider;
}

/** `callback`'s query: the provider's redirect parameters, an object of strings. */
const callbackQuery = {
  name: 'query',
  optional: true,
  read(value, call) {
    sendProvider(call);
    if (value === undefined || value === null) return;
    requireObject(value, call, 'query');
    for (const [key, item] of Object.entries(value)) {
      if (typeof item !== 'string') throw new TypeError(`${call.label}: query.${key} must be a string`);
    }
    call.params.query = value;
  },
};

/** `resetPassword`'s body `{ identifier }`. */
const identifier = {
  name: 'body',
  read(value, call) {
    sendProvider(call);
    requireObject(value, call, 'body (like { identifier })');
    call.params.identifier = value.identifier;
  },
};

/** `updateProvider`'s token: the reset token, sent as Bearer for that one request. */
const resetToken = string('token');

/** A body whose fields are the wire params (customer fields; sign-up's email, password and fields). */
const fields = (name) => ({
  name,
  read(value, call) {
    Object.assign(call.params, requireObject(value, call, name));
  },
});

/** js-sdk's `query` of `store.customer.*`: Medusa's `fields` selection, the one query the bridge takes. */
const customerQuery = {
  name: 'query',
  optional: true,
  optionsAlike: true,
  read(value, call) {
    if (value === undefined || value === null) return;
    requireObject(value, call, 'query');
    for (const key of Object.keys(value)) {
      if (key !== 'fields') throw new TypeError(`${call.label}: query takes only fields (Medusa's field selection), not ${key}`);
    }
    if (value.fields !== undefined) {
      if (typeof value.fields !== 'string') throw new TypeError(`${call.label}: query.fields must be a string such as "*orders"`);
      call.params.fields = value.fields;
    }
  },
};

module.exports = {
  EMAILPASS,
  headers,
  string,
  credentials,
  actor,
  provider,
  providerPayload,
  callbackQuery,
  identifier,
  resetToken,
  fields,
  customerQuery,
  sendProvider,
};
