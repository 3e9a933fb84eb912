// @relkit/sigstore-verify: verify cosign / sigstore signatures of images, in-process.
// The root is what tools use: the port for core, image verification, policies and trust roots,
// the bundle verifier. The building blocks below it (bundle parsing, Fulcio claim codecs, legacy
// cosign layers, in-toto subjects, the verdict rule) are at `@relkit/sigstore-verify/conformance`,
// for conformance suites and tests.
export { SigstoreVerifyError } from './errors.js';
export type { SigstoreVerifyErrorCode } from './errors.js';
export { compilePolicy } from './policy.js';
export type {
  CertificatePolicy,
  ClaimMatch,
  CompiledPolicy,
  KeyPolicy,
  SignerFacts,
  SignerPolicy,
} from './policy.js';
export { CLAIM_NAMES } from './claims.js';
export { signerWorkflowUri } from './provenance.js';
export type { ProvenanceField, ProvenancePolicy } from './provenance.js';
export type { CertificateExtension, FulcioClaimName, FulcioClaims } from './claims.js';
export { loadTrustRootFile, parseTrustRoot, publicGoodTrustRoot, refreshTrustRoot } from './trust-root.js';
export type { TrustRoot, TrustRootRefreshOptions } from './trust-root.js';
export { BundleVerifier } from './verify.js';
export type {
  BundleContent,
  BundleVerifierOptions,
  Thresholds,
  VerifiedBundle,
  VerifiedSigner,
  VerifyBundleInput,
} from './verify.js';
export type {
  AttestationsApi,
  ReferrerDescriptor,
  ReferrerList,
  SignatureStore,
  StoredManifest,
} from './store.js';
export { registrySignatureStore } from './registry-store.js';
export type { RegistryReads } from './registry-store.js';
export { COSIGN_SIGN_PREDICATE, SLSA_PROVENANCE_V1, verifyImage, verifyImages } from './image.js';
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
export { acceptedIdentities, provenanceOf, signaturePort, toSignatureCheck } from './port.js';
export type { IdentityMatch, SingleIdentityMatch } from './identity.js';
export type {
  ImageSigningPolicy,
  SignatureCheck,
  SignaturePortAdapter,
  SignaturePortOptions,
  SignerProvenance,
} from './port.js';
