// Type declarations for medusa-auth-bridge (hand-written; the implementation is lib/*.js).
// Result shapes follow schema/openrpc.json and medusa-store-auth.md section 3: Medusa's bodies pass
// through unchanged, so every object type also admits fields this file does not name.

/** Options of `new Bridge()`; names mirror medusa-js's Config. Left out: the bridge's env/default applies. */
export interface BridgeOptions {
  /** Medusa backend URL (`--base-url`; else MEDUSA_BACKEND_URL; default http://localhost:9000). */
  baseUrl?: string;
  /** Retries on network errors, 409 and 501-599, as medusa-js (`--max-retries`; default 0). */
  maxRetries?: number;
  /** Sent as `x-publishable-api-key`; passed through the environment, never the command line. */
  publishableApiKey?: string;
  /** Headers sent on every request (medusa-js: `customHeaders`); override the bridge's own. */
  headers?: Record<string, string>;
  /** Path of the medusa-auth-bridge executable; else MEDUSA_AUTH_BRIDGE, the checkout's build, PATH. */
  binary?: string;
  /** Seconds per HTTP attempt (`--timeout`; default 30). */
  httpTimeout?: number;
  /** The bridge's log level on its stderr (`--log-level`; default warn). */
  logLevel?: 'error' | 'warn' | 'info' | 'debug' | 'trace';
}

/** The last argument of every call. */
export interface CallOptions {
  /** Aborting sends `$/cancelRequest` and rejects with a BridgeAbortError (name "AbortError"). */
  signal?: AbortSignal;
  /** Milliseconds, including the bridge's start on a first call; then like an abort, but rejects with BridgeTimeoutError (name "TimeoutError"). */
  timeout?: number;
}

/** Headers for one call, merged case-insensitively over the configured ones. */
export type CustomHeaders = Record<string, string>;

/** medusa-js's StorePostAuthReq / StoreGetAuthTokenReq. */
export interface AuthPayload {
  email: string;
  password: string;
}

/** Medusa's Customer as `/store/auth` returns it (TypeORM entity, orders and addresses expanded). */
export interface Customer {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  billing_address_id: string | null;
  phone: string | null;
  has_account: boolean;
  metadata: Record<string, unknown> | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  orders: Array<Record<string, unknown>>;
  shipping_addresses: Array<Record<string, unknown>>;
  [field: string]: unknown;
}

/** Result of `authenticate` and `getSession`. */
export interface StoreAuthRes {
  customer: Customer;
  [field: string]: unknown;
}

/** Result of `getToken`. */
export interface StoreBearerAuthRes {
  access_token: string;
  [field: string]: unknown;
}

/** Result of `exists`. */
export interface StoreGetAuthEmailRes {
  exists: boolean;
  [field: string]: unknown;
}

/** Result of `deleteSession`: always the empty object. */
export type StoreDeleteSessionRes = Record<string, never>;

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
  serverInfo: { name: string; version: string; [field: string]: unknown };
  [field: string]: unknown;
}

/** The OpenRPC document from `bridge.discover()`. */
export interface OpenRpcDocument {
  openrpc: string;
  methods: Array<Record<string, unknown>>;
  [field: string]: unknown;
}

/** medusa-js's AuthResource, bound to one session of the bridge. */
export interface AuthResource {
  /** @rpc auth.authenticate — POST /store/auth: log in with a cookie session kept by the session. */
  authenticate(payload: AuthPayload, customHeaders?: CustomHeaders, options?: CallOptions): Promise<StoreAuthRes>;
  /** @rpc auth.getSession — GET /store/auth: the logged-in customer (UnauthorizedError if none). */
  getSession(customHeaders?: CustomHeaders, options?: CallOptions): Promise<StoreAuthRes>;
  /** @rpc auth.deleteSession — DELETE /store/auth; the session then forgets its cookies and token. */
  deleteSession(customHeaders?: CustomHeaders, options?: CallOptions): Promise<StoreDeleteSessionRes>;
  /** @rpc auth.exists — GET /store/auth/{email}: whether a registered customer uses the email. */
  exists(email: string, customHeaders?: CustomHeaders, options?: CallOptions): Promise<StoreGetAuthEmailRes>;
  /** @rpc auth.getToken — POST /store/auth/token: a JWT, sent as Bearer on the session's later calls. */
  getToken(payload: AuthPayload, customHeaders?: CustomHeaders, options?: CallOptions): Promise<StoreBearerAuthRes>;
}

/** A named session: its own cookie jar and token inside the bridge. */
export interface Session {
  readonly name: string;
  readonly auth: AuthResource;
  /** @rpc session.clear — forget the session's cookies and token (no HTTP request). */
  clear(options?: CallOptions): Promise<void>;
}

/** One medusa-auth-bridge process, started on first use, reused, and never keeping Node alive while idle. */
export declare class Bridge {
  constructor(options?: BridgeOptions);
  /** The "default" session's AuthResource, as `medusa.auth`. */
  readonly auth: AuthResource;
  /** The bridge's process id while one runs. */
  readonly pid: number | undefined;
  /** The session named `name`; the same object for the same name. */
  session(name: string): Session;
  /** @rpc session.list — every session the bridge holds. */
  sessions(options?: CallOptions): Promise<SessionInfo[]>;
  /** @rpc ping — resolves when the bridge answers. */
  ping(options?: CallOptions): Promise<void>;
  /** @rpc rpc.discover — the bridge's OpenRPC document. */
  discover(options?: CallOptions): Promise<OpenRpcDocument>;
  /** @rpc initialize — start the bridge now (it starts on first use anyway) and check its version. */
  start(options?: CallOptions): Promise<InitializeResult>;
  /** Stdin EOF, bounded wait, SIGTERM, bounded wait, SIGKILL; later calls reject with BridgeClosedError. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The protocol version this client speaks ("1.0"). */
export declare const PROTOCOL_VERSION: string;

/** JSON-RPC error codes the bridge uses. */
export declare const ErrorCode: {
  readonly PARSE_ERROR: -32700;
  readonly INVALID_REQUEST: -32600;
  readonly METHOD_NOT_FOUND: -32601;
  readonly INVALID_PARAMS: -32602;
  readonly INTERNAL_ERROR: -32603;
  readonly MEDUSA_HTTP_ERROR: -32001;
  readonly MEDUSA_UNREACHABLE: -32002;
  readonly MEDUSA_BAD_RESPONSE: -32003;
  readonly REQUEST_CANCELLED: -32800;
};

/** Base of every error; also a wire error with an unknown code (then `code` and `data` are the wire's). */
export declare class BridgeError extends Error {
  constructor(message: string, options?: { code?: number | string; data?: unknown; cause?: unknown });
  readonly code?: number | string;
  readonly data?: unknown;
}

/** Wire codes -32700..-32603: the bridge rejected the message itself. */
export declare class ProtocolError extends BridgeError {
  readonly code: number;
}
/** -32700 */
export declare class ParseError extends ProtocolError {}
/** -32600 */
export declare class InvalidRequestError extends ProtocolError {}
/** -32601 */
export declare class MethodNotFoundError extends ProtocolError {}
/** -32602; `field` names the offending param when known. */
export declare class InvalidParamsError extends ProtocolError {
  readonly field: string | undefined;
}
/** -32603 */
export declare class InternalError extends ProtocolError {}

/** -32001: Medusa answered with a non-2xx status. */
export declare class MedusaError extends BridgeError {
  readonly code: number;
  readonly data: { status: number; type?: string; message?: string; code?: string; body?: string };
  readonly status: number | undefined;
  /** Medusa's error type, e.g. "invalid_data". */
  readonly type: string | undefined;
  /** Medusa's error message. */
  readonly medusaMessage: string | undefined;
  /** Medusa's error code (a string). */
  readonly medusaCode: string | undefined;
  /** The body text when it was not Medusa's JSON error, e.g. "Unauthorized". */
  readonly body: string | undefined;
}
/** A MedusaError with status 401. */
export declare class UnauthorizedError extends MedusaError {}
/** A MedusaError with status 404. */
export declare class NotFoundError extends MedusaError {}

/** -32002: Medusa could not be reached after every retry. */
export declare class BridgeUnreachableError extends BridgeError {
  readonly code: number;
  readonly data: { reason: string; attempts: number; detail: string };
  readonly reason: 'refused' | 'timeout' | 'dns' | 'tls' | 'other' | undefined;
  readonly attempts: number | undefined;
  readonly detail: string | undefined;
}

/** -32003: Medusa answered 2xx with a body that is not the JSON expected. */
export declare class BadResponseError extends BridgeError {
  readonly code: number;
  readonly data: { status: number; body: string };
  readonly status: number | undefined;
  readonly body: string | undefined;
}

/** -32800: the bridge abandoned the request. */
export declare class CancelledError extends BridgeError {
  readonly code: number;
}

/** The bridge process is gone (exited, or close() was called); every pending call rejects with it. */
export declare class BridgeClosedError extends BridgeError {
  constructor(message: string, options?: { cause?: unknown; exitCode?: number | null; signal?: string | null });
  readonly exitCode: number | null;
  readonly signal: string | null;
}

/** No bridge executable was found. */
export declare class BridgeNotFoundError extends BridgeError {
  constructor(message: string, options?: { searched?: string[] });
  /** Every place searched, in order. */
  readonly searched: string[];
}

/** The bridge speaks another protocol version; refused at the handshake. */
export declare class BridgeVersionError extends BridgeError {
  constructor(message: string, options?: { clientVersion?: string; bridgeVersion?: string; supported?: string[]; cause?: unknown });
  readonly clientVersion: string;
  readonly bridgeVersion: string | undefined;
  readonly supported: string[] | undefined;
}

/** The call's signal aborted; `name` is "AbortError" and `code` "ABORT_ERR", like Node's own. */
export declare class BridgeAbortError extends BridgeError {
  constructor(message?: string, options?: { cause?: unknown });
  readonly name: 'AbortError';
  readonly code: 'ABORT_ERR';
}

/** The call's timeout elapsed; `name` is "TimeoutError". */
export declare class BridgeTimeoutError extends BridgeError {
  constructor(message: string, options?: { timeout?: number; cause?: unknown });
  readonly name: 'TimeoutError';
  readonly code: 'ETIMEDOUT';
  /** The timeout, in milliseconds. */
  readonly timeout: number | undefined;
}

declare global {
  // For TypeScript before 5.2 (as @types/node does): the symbol `await using` calls.
  interface SymbolConstructor {
    readonly asyncDispose: unique symbol;
  }
}
