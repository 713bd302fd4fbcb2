// ESM entry: re-exports the CommonJS implementation, so `import` and `require` share one set of
// classes (instanceof works across both, and there is one bridge implementation to test).
import cjs from './lib/index.js';

export const {
  Bridge,
  PROTOCOL_VERSION,
  raw,
  ErrorCode,
  BridgeError,
  ProtocolError,
  ParseError,
  InvalidRequestError,
  MethodNotFoundError,
  InvalidParamsError,
  InternalError,
  MedusaError,
  UnauthorizedError,
  NotFoundError,
  BridgeUnreachableError,
  BadResponseError,
  CancelledError,
  BridgeClosedError,
  BridgeStartError,
  BridgeNotFoundError,
  BridgeVersionError,
  BridgeAbortError,
  BridgeTimeoutError,
} = cjs;
