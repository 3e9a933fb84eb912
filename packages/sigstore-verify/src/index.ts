// @relkit/sigstore-verify: verify cosign / sigstore signatures of images, in-process.
export { SigstoreVerifyError } from './errors.js';
export type { SigstoreVerifyErrorCode } from './errors.js';
export { compileIdentity } from './identity.js';
export type { IdentityMatch } from './identity.js';
export { compilePolicy } from './policy.js';
export type {
  CertificatePolicy,
  ClaimMatch,
  CompiledPolicy,
  KeyPolicy,
  SignerFacts,
  SignerPolicy,
} from './policy.js';
export {
  CLAIM_NAMES,
  FULCIO_OID_ARC,
  decodeDerUtf8String,
  decodeFulcioClaims,
  encodeDerUtf8String,
} from './claims.js';
export type { CertificateExtension, FulcioClaimName, FulcioClaims } from './claims.js';
export { loadTrustRootFile, parseTrustRoot, publicGoodTrustRoot, refreshTrustRoot } from './trust-root.js';
export type { TrustRoot, TrustRootRefreshOptions } from './trust-root.js';
export { BundleVerifier, parseBundle } from './verify.js';
export type {
  BundleContent,
  BundleVerifierOptions,
  Thresholds,
  VerifiedBundle,
  VerifiedSigner,
  VerifyBundleInput,
} from './verify.js';
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
export type { ReferrerDescriptor, ReferrerList, SignatureStore, StoredManifest } from './store.js';
export { registrySignatureStore } from './registry-store.js';
export type { RegistryReads } from './registry-store.js';
export {
  COSIGN_SIGN_PREDICATE,
  SLSA_PROVENANCE_V1,
  attestationCategory,
  decide,
  verifyImage,
  verifyImages,
} from './image.js';
export type {
  AttestationCategory,
  AttestationFound,
  AttestationRequirement,
  ImageVerdict,
  ImageVerification,
  LookupProblem,
  SignatureFinding,
  SignatureSource,
  VerifyImageOptions,
} from './image.js';
export { signaturePort, toSignatureCheck } from './port.js';
export type {
  ImageSigningPolicy,
  SignatureCheck,
  SignaturePortAdapter,
  SignaturePortOptions,
} from './port.js';
