// @relkit/registry: an OCI distribution client on Node's fetch.
export { RegistryError } from './errors.js';
export type { RegistryErrorCode } from './errors.js';
export { digestOf, assertDigest } from './digest.js';
