// @relkit/sigstore-verify/conformance: the building blocks under the bundle and image verifiers,
// exported for the sigstore-conformance vectors and tests that exercise one layer at a time.
// Tools verifying images use the package root.
export { BundleVerifier, parseBundle } from './verify.js';
export { parseTrustRoot, publicGoodTrustRoot } from './trust-root.js';
export { compileIdentity } from './identity.js';
export type { IdentityMatch } from './identity.js';
export { FULCIO_OID_ARC, decodeDerUtf8String, decodeFulcioClaims, encodeDerUtf8String } from './claims.js';
export {
  CosignAnnotations,
  DSSE_ENVELOPE_MEDIA_TYPE,
  SIMPLE_SIGNING_MEDIA_TYPE,
  legacyLayerToBundle,
} from './legacy.js';
export type { ConvertedLegacy, LegacyLayer } from './legacy.js';
export {
  IN_TOTO_PAYLOAD_TYPE,
  checkSimpleSigningPayload,
  checkStatementSubject,
  parseStatement,
} from './subject.js';
export type { InTotoStatement } from './subject.js';
export { attestationCategory, decide } from './image.js';
export { verifyPrehashed } from './prehashed.js';
export { memoiseCertificate, memoiseTrustMaterial, warmTrustMaterial } from './certificate-memo.js';
export { slsaSourceOf } from './slsa.js';
export type { SlsaSource } from './slsa.js';
