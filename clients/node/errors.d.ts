// Type declarations of the error classes of medusa-auth-bridge (hand-written; the implementation is
// lib/errors.js). index.d.ts re-exports them; test/methods.test.js checks that every exported
// error class is declared here.

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
  constructor(message: string, options?: { code?: number | string; data?: unknown; cause?: unknown; method?: string; session?: string; step?: string });
  readonly code?: number | string;
  readonly data?: unknown;
  /** The wire method of the call that failed (`auth.getSession`), when the error belongs to one. */
  readonly method: string | undefined;
  /** That call's session (`default` for `bridge.auth`), when the method has one. */
  readonly session: string | undefined;
  /** The step that failed: `auth.signup`'s `register`, `create` or `login`, or `session` when a session-mode login, callback or refresh had its token but exchanging it for Medusa's session cookie failed. */
  readonly step: 'register' | 'create' | 'login' | 'session' | undefined;
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
  readonly data: { status: number; type?: string; message?: string; code?: string; body?: string; hint?: string; location?: string };
  readonly status: number | undefined;
  /** Medusa's error type, e.g. "invalid_data". */
  readonly type: string | undefined;
  /** Medusa's error message. */
  readonly medusaMessage: string | undefined;
  /** Medusa's error code (a string). */
  readonly medusaCode: string | undefined;
  /** The body text when it was not Medusa's JSON error, e.g. "Unauthorized". */
  readonly body: string | undefined;
  /** The bridge's advice when the backend looks like the other Medusa version. */
  readonly hint: string | undefined;
  /** A redirect's target (3xx), which the bridge never follows. */
  readonly location: string | undefined;
}
/** A MedusaError with status 401. */
export declare class UnauthorizedError extends MedusaError {}
/** A MedusaError with status 404. */
export declare class NotFoundError extends MedusaError {}

/** -32002: no answer from Medusa after every retry (unreachable, or no complete answer to a request it received). */
export declare class BridgeUnreachableError extends BridgeError {
  readonly code: number;
  readonly data: { reason: string; attempts: number; detail: string };
  readonly reason: 'refused' | 'timeout' | 'dns' | 'tls' | 'other' | undefined;
  readonly attempts: number | undefined;
  readonly detail: string | undefined;
}

/** -32003: Medusa answered 2xx with a body that is not the JSON expected or is longer than the bridge reads, or broke HTTP's framing (then `detail` names the fault). */
export declare class BadResponseError extends BridgeError {
  readonly code: number;
  readonly data: { status: number; body: string } | { detail: string };
  readonly status: number | undefined;
  readonly body: string | undefined;
  /** Broken framing only: what broke it (e.g. several Content-Length values that differ). */
  readonly detail: string | undefined;
}

/** -32800: the bridge abandoned the request, or close() cancelled it. */
export declare class CancelledError extends BridgeError {
  readonly code: number;
}

/** The bridge process is gone (exited, or close() was called); every pending call rejects with it. */
export declare class BridgeClosedError extends BridgeError {
  constructor(message: string, options?: { cause?: unknown; exitCode?: number | null; signal?: string | null; stderr?: string | null });
  readonly exitCode: number | null;
  /** The signal that ended the bridge, by name ('SIGKILL'), or null. */
  readonly signal: string | null;
  /** The last lines the bridge wrote on its stderr, or null. */
  readonly stderr: string | null;
}

/** The executable exited, or stayed silent, before answering `initialize`: not a working bridge, or one refusing its options. */
export declare class BridgeStartError extends BridgeClosedError {
  constructor(message: string, options?: { cause?: unknown; exitCode?: number | null; signal?: string | null; stderr?: string | null; binary?: string });
  /** The executable that was started. */
  readonly binary: string | undefined;
}

/** No bridge executable was found. */
export declare class BridgeNotFoundError extends BridgeError {
  constructor(message: string, options?: { searched?: string[] });
  /** Every place searched, in order, each as "<place>: <why not>". */
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
