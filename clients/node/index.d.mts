// ESM view of the same declarations: index.mjs re-exports lib/index.js, so the types are shared.
export * from './index.js';
