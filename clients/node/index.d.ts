// Type declarations for medusa-auth-bridge (hand-written; the implementation is lib/*.js, and
// test/methods.test.js checks every method here against lib/methods.js and schema/openrpc.json).
// Result types are closed: a typo such as `res.exist` or `customer.frist_name` is a compile error.
// Medusa's bodies pass through unchanged, so fields these types do not name (a plugin's) are still
// in the object: reach them through `raw(value)`, the explicit escape hatch.

/** Options of `new Bridge()`; names mirror medusa-js's Config. Every duration is in milliseconds. */
export interface BridgeOptions {
  /** Medusa backend URL, http or https with a host (`--base-url`; else MEDUSA_BACKEND_URL; default http://localhost:9000). */
  baseUrl?: string;
  /** Retries on network errors, 409 and 501-599, as medusa-js; 0 to 100 (`--max-retries`; default 0). */
  maxRetries?: number;
  /** Sent as `x-publishable-api-key` (Medusa v2 requires it on /store); passed in the environment, never on the command line. */
  publishableApiKey?: string;
  /** Headers sent on every request (medusa-js: `customHeaders`); they override the bridge's own. */
  headers?: CustomHeaders;
  /** Milliseconds per HTTP attempt, up to one day (`--timeout`; default 30000). */
  httpTimeout?: number;
  /** The bridge's log level on its stderr (`--log-level`; default warn). */
  logLevel?: 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** Medusa v2 session mode, as js-sdk's `auth.type` (`--auth-type`; default jwt). */
  authType?: 'jwt' | 'session';
  /** Path of the medusa-auth-bridge executable; else MEDUSA_AUTH_BRIDGE, the platform package, the checkout's build, PATH. */
  binary?: string;
  /** Extra environment variables for the bridge, applied last (the rest is an allow-list of ours plus MEDUSA_*). */
  env?: Record<string, string>;
  /** Where the bridge's stderr goes: 'inherit' (this process's stderr, the default), 'ignore', or a Writable. */
  stderr?: 'inherit' | 'ignore' | WritableLike;
  /** How long the bridge may take to answer `initialize` before it is judged not a bridge (default 10000, at most 2147483647, Node's timer maximum). */
  handshakeTimeout?: number;
  /** close(): wait after closing stdin (default 5000, longer than the bridge's own 3 s drain; at most 2147483647). */
  exitTimeout?: number;
  /** close(): wait after SIGTERM (default 5000, at most 2147483647). */
  terminateTimeout?: number;
  /** close(): wait after SIGKILL (default 5000, at most 2147483647). */
  killTimeout?: number;
}

/** A stream the bridge's stderr can be copied to (a Node `Writable`, e.g. a file stream). */
export interface WritableLike {
  write(chunk: Uint8Array): unknown;
  on(event: string, listener: (...args: any[]) => void): unknown;
}

/** The options of calls that belong to no session (`ping`, `sessions`, `start`, `session.clear`). */
export interface PlainCallOptions {
  /** Aborting sends `$/cancelRequest` and rejects with a BridgeAbortError (name "AbortError"). */
  signal?: AbortSignal;
  /** Milliseconds (at most 2147483647, Node's timer maximum), including the bridge's start on a first call; then like an abort, but rejects with BridgeTimeoutError (name "TimeoutError"). */
  timeout?: number;
}

/** The last argument of every session method (it may also stand in for an optional headers or query argument). */
export interface CallOptions extends PlainCallOptions {
  /** Headers for this call only, merged over customHeaders and the configured ones. */
  headers?: CustomHeaders;
  /** The session to use; `bridge.session(name)` does the same. */
  session?: string;
}

/** Headers for one call, merged case-insensitively over the configured ones. */
export type CustomHeaders = Record<string, string>;

/** medusa-js's StorePostAuthReq / StoreGetAuthTokenReq; js-sdk's emailpass payload. */
export interface AuthPayload {
  email: string;
  password: string;
}

/** Medusa v1's Customer as `/store/auth` returns it (orders and addresses expanded). */
export interface Customer {
  id: string;
  email: string;
  has_account: boolean;
  first_name?: string | null;
  last_name?: string | null;
  billing_address_id?: string | null;
  phone?: string | null;
  metadata?: Record<string, unknown> | null;
  created_at?: string;
  updated_at?: string;
  deleted_at?: string | null;
  orders?: Array<Record<string, unknown>>;
  shipping_addresses?: Array<Record<string, unknown>>;
}

/** Result of `authenticate` and `getSession` (Medusa v1). */
export interface StoreAuthRes {
  customer: Customer;
}

/** Result of `getToken` (Medusa v1). */
export interface StoreBearerAuthRes {
  access_token: string;
}

/**
 * Result of `exists` (Medusa v1). An object, so ALWAYS TRUTHY in a condition:
 * `if (await auth.exists(email))` is always taken. Test `.exists`, or call `emailExists()`.
 */
export interface StoreGetAuthEmailRes {
  exists: boolean;
}

/** Result of `deleteSession`: always the empty object. */
export type StoreDeleteSessionRes = Record<string, never>;

/** The only actor the bridge drives (Medusa's store customer). */
export type AuthActor = 'customer';

/** `login`'s answer when the provider redirects (an OAuth start): where to send the customer. */
export interface LocationRes {
  location: string;
}

/** A Medusa v2 customer address (packages/core/types/src/http/customer/store/entities.ts). */
export interface CustomerAddress {
  id: string;
  address_name?: string | null;
  customer_id?: string;
  company?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  address_1?: string | null;
  address_2?: string | null;
  city?: string | null;
  province?: string | null;
  postal_code?: string | null;
  country_code?: string | null;
  phone?: string | null;
  metadata?: Record<string, unknown> | null;
  is_default_shipping?: boolean;
  is_default_billing?: boolean;
  created_at?: string;
  updated_at?: string;
}

/** Medusa v2's StoreCustomer; which fields come depends on `fields` (the default set when left out). */
export interface StoreCustomer {
  id: string;
  email: string;
  company_name?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  phone?: string | null;
  metadata?: Record<string, unknown> | null;
  has_account?: boolean;
  addresses?: CustomerAddress[];
  orders?: Array<Record<string, unknown>>;
  created_at?: string;
  updated_at?: string;
  deleted_at?: string | null;
}

/** Result of `store.customer.create`, `retrieve` and `update`. */
export interface StoreCustomerRes {
  customer: StoreCustomer;
}

/** Result of `auth.signup`: the new customer and a login token that carries it. */
export interface SignupRes {
  customer: StoreCustomer;
  token: string;
}

/** Body of `store.customer.create` (Medusa's StoreCreateCustomer; no password). */
export interface StoreCreateCustomer {
  email?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  phone?: string | null;
  company_name?: string | null;
  metadata?: Record<string, unknown> | null;
}

/** Body of `store.customer.update` (Medusa's StoreUpdateCustomer; the email cannot change). */
export interface StoreUpdateCustomer {
  first_name?: string | null;
  last_name?: string | null;
  phone?: string | null;
  company_name?: string | null;
  metadata?: Record<string, unknown> | null;
}

/** Body of `auth.signup`: the credentials and the customer's fields. */
export interface SignupBody extends StoreCreateCustomer {
  email: string;
  password: string;
}

/** Query of `store.customer.*`: Medusa's field selection (`"*orders"`, `"+metadata"`, `"email"`). */
export interface CustomerQuery {
  fields?: string;
}

/** One entry of `bridge.sessions()`, without secrets. */
export interface SessionInfo {
  name: string;
  hasCookie: boolean;
  hasToken: boolean;
  /** From the last customer body or token seen in this session; null when unknown. */
  customerId: string | null;
}

/** Result of `bridge.start()` (the `initialize` handshake). */
export interface InitializeResult {
  protocolVersion: string;
  serverInfo: { name: string; version: string };
}

/** The OpenRPC document from `bridge.discover()`. */
export interface OpenRpcDocument {
  openrpc: string;
  info: { title: string; version: string };
  methods: Array<Record<string, unknown>>;
}

/**
 * A session's auth methods: medusa-js's AuthResource (Medusa v1, `/store/auth`) and js-sdk's Auth
 * (Medusa v2, `/auth/*`). Each takes the call options last; for the v1 methods they may also stand
 * in for customHeaders (`exists(email, { signal })`).
 */
export interface AuthResource {
  /** @rpc auth.authenticate — v1 POST /store/auth: log in with a cookie session kept by the session. */
  authenticate(payload: AuthPayload, customHeaders?: CustomHeaders | CallOptions, options?: CallOptions): Promise<StoreAuthRes>;
  /** @rpc auth.getSession — v1 GET /store/auth: the logged-in customer (UnauthorizedError if none). */
  getSession(customHeaders?: CustomHeaders | CallOptions, options?: CallOptions): Promise<StoreAuthRes>;
  /** @rpc auth.deleteSession — v1 DELETE /store/auth; the session then forgets its cookies and token. */
  deleteSession(customHeaders?: CustomHeaders | CallOptions, options?: CallOptions): Promise<StoreDeleteSessionRes>;
  /**
   * @rpc auth.exists — v1 GET /store/auth/{email}: `{ exists }`. The object is always truthy:
   * never write `if (await auth.exists(email))`; use `.exists` or `emailExists()`.
   */
  exists(email: string, customHeaders?: CustomHeaders | CallOptions, options?: CallOptions): Promise<StoreGetAuthEmailRes>;
  /** @rpc auth.exists — v1 GET /store/auth/{email}, as a boolean: safe in a condition. */
  emailExists(email: string, customHeaders?: CustomHeaders | CallOptions, options?: CallOptions): Promise<boolean>;
  /** @rpc auth.getToken — v1 POST /store/auth/token: a JWT, sent as Bearer on the session's later calls. */
  getToken(payload: AuthPayload, customHeaders?: CustomHeaders | CallOptions, options?: CallOptions): Promise<StoreBearerAuthRes>;
  /**
   * @rpc auth.login — v2 POST /auth/customer/{method}: the token (kept by the session; in session
   * mode exchanged for the cookie), or `{ location }` when the provider redirects (OAuth start).
   */
  login(actor: AuthActor, method: string, payload: AuthPayload | Record<string, unknown>, options?: CallOptions): Promise<string | LocationRes>;
  /** @rpc auth.register — v2 POST /auth/customer/{method}/register: a registration token, kept for `store.customer.create`. */
  register(actor: AuthActor, method: string, payload: AuthPayload | Record<string, unknown>, options?: CallOptions): Promise<string>;
  /** @rpc auth.callback — v2 GET /auth/customer/{method}/callback?{query}: the token after an OAuth redirect. */
  callback(actor: AuthActor, method: string, query?: Record<string, string>, options?: CallOptions): Promise<string>;
  /** @rpc auth.refresh — v2 POST /auth/token/refresh: a new token in place of the session's. */
  refresh(headers?: CustomHeaders | CallOptions, options?: CallOptions): Promise<string>;
  /** @rpc auth.logout — v2 DELETE /auth/session when the session logged in to Medusa's cookie session (session mode); forgets its token and cookies. */
  logout(options?: CallOptions): Promise<void>;
  /** @rpc auth.resetPassword — v2 POST /auth/customer/{provider}/reset-password: Medusa mails a reset token. */
  resetPassword(actor: AuthActor, provider: string, body: { identifier: string }, options?: CallOptions): Promise<void>;
  /** @rpc auth.updateProvider — v2 POST /auth/customer/{provider}/update with the reset token as Bearer: a new password. */
  updateProvider(actor: AuthActor, provider: string, body: { password: string } | Record<string, unknown>, token: string, options?: CallOptions): Promise<void>;
  /** @rpc auth.signup — v2 register, create the customer, log in: the whole sign-up in one call. */
  signup(body: SignupBody, options?: CallOptions): Promise<SignupRes>;
}

/** js-sdk's `store.customer` (Medusa v2 `/store/customers`; needs the publishable key). */
export interface CustomerResource {
  /** @rpc store.customer.create — v2 POST /store/customers with the session's (registration) token. */
  create(body: StoreCreateCustomer, query?: CustomerQuery | CallOptions, headers?: CustomHeaders | CallOptions, options?: CallOptions): Promise<StoreCustomerRes>;
  /** @rpc store.customer.retrieve — v2 GET /store/customers/me: the logged-in customer. */
  retrieve(query?: CustomerQuery | CallOptions, headers?: CustomHeaders | CallOptions, options?: CallOptions): Promise<StoreCustomerRes>;
  /** @rpc store.customer.update — v2 POST /store/customers/me. */
  update(body: StoreUpdateCustomer, query?: CustomerQuery | CallOptions, headers?: CustomHeaders | CallOptions, options?: CallOptions): Promise<StoreCustomerRes>;
}

/** js-sdk's `store`, as far as the bridge drives it. */
export interface StoreResource {
  readonly customer: CustomerResource;
}

/** A named session: its own cookie jar and token inside the bridge. */
export interface Session {
  readonly name: string;
  readonly auth: AuthResource;
  readonly store: StoreResource;
  /** @rpc session.clear — forget the session's cookies and token (no HTTP request). */
  clear(options?: PlainCallOptions): Promise<void>;
}

/** One medusa-auth-bridge process, started on first use, reused, and never keeping Node alive while idle. */
export declare class Bridge {
  constructor(options?: BridgeOptions);
  /** The "default" session's auth methods, as `medusa.auth` (v1) and `sdk.auth` (v2). */
  readonly auth: AuthResource;
  /** The "default" session's `store.customer`, as `sdk.store` (v2). */
  readonly store: StoreResource;
  /** The bridge's process id while one runs. */
  readonly pid: number | undefined;
  /** The exit status of the last bridge process once it ended; else null. */
  readonly exitCode: number | null;
  /** The signal ('SIGKILL', ...) that ended the last bridge process; else null. */
  readonly signal: string | null;
  /** The session named `name`; the same object for the same name. */
  session(name: string): Session;
  /** @rpc session.list — every session the bridge holds. */
  sessions(options?: PlainCallOptions): Promise<SessionInfo[]>;
  /** @rpc ping — resolves (to undefined) when the bridge answers. */
  ping(options?: PlainCallOptions): Promise<void>;
  /** @rpc rpc.discover — the bridge's OpenRPC document. */
  discover(options?: PlainCallOptions): Promise<OpenRpcDocument>;
  /** @rpc initialize — start the bridge now (it starts on first use anyway) and check its version. */
  start(options?: PlainCallOptions): Promise<InitializeResult>;
  /** Cancels pending calls (CancelledError), closes stdin, waits, SIGTERM, waits, SIGKILL; later calls reject with BridgeClosedError. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The escape hatch for fields Medusa sends that the result types do not name (a plugin's):
 * the same object, typed as a record. `raw(customer).loyalty_points`
 */
export declare function raw(value: object): Readonly<Record<string, unknown>>;

/** The protocol version this client speaks ("1.0"). */
export declare const PROTOCOL_VERSION: string;

export * from './errors.js';

declare global {
  // For TypeScript before 5.2 (as @types/node does): the symbol `await using` calls.
  interface SymbolConstructor {
    readonly asyncDispose: unique symbol;
  }
}
