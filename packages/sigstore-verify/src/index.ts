// @relkit/sigstore-verify: verify cosign / sigstore signatures of images, in-process.
export { SigstoreVerifyError } from './errors.js';
export type { SigstoreVerifyErrorCode } from './errors.js';
export { compileIdentity } from './identity.js';
export type { IdentityMatch } from './identity.js';
