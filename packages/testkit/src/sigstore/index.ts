// Mock Sigstore infrastructure and signature pushers for tests (see startSigstoreInfra).
export { startSigstoreInfra, fakeGithubActionsToken, workflowSan, GITHUB_ACTIONS_ISSUER } from './infra.js';
export type { SigstoreInfra, RekorLogEntry, WorkflowIdentity } from './infra.js';
export {
  signImageBundle,
  legacyImageSignature,
  legacyImageAttestation,
  imageStatement,
  generateSigningKey,
  derToPem,
  COSIGN_SIGN_PREDICATE,
  SLSA_PROVENANCE_V1,
  SPDX_PREDICATE,
  CYCLONEDX_PREDICATE,
} from './sign.js';
export type { LegacySignatureLayer, LegacySignatureOptions } from './sign.js';
export { pushLegacySignatures, pushBundleReferrer, cosignTag, BUNDLE_V03_MEDIA_TYPE } from './oci.js';
export type { ReferrerPush } from './oci.js';
export { startReferrersApi } from './referrers-api.js';
export type { ReferrersRegistry } from './referrers-api.js';
