// RC clean-up after a promote: which package versions go (pure), by which route (the GitHub
// Packages API on ghcr.io, an OCI DELETE elsewhere), and the run over the ports.
export { selectCandidateVersions, signatureTagSubject } from './select.js';
export type {
  CleanupSelection,
  CleanupSelectionInput,
  DeleteDecision,
  DeleteReason,
  KeptImage,
  VersionDecision,
} from './select.js';
export { cleanupRoute, imageHost, UNSUPPORTED_DELETE_WAY_OUT } from './route.js';
export type { CleanupRoute } from './route.js';
export { candidateImageTags, cleanupImage, cleanupRelease, createCleanupService } from './run.js';
export type {
  CleanupFailure,
  CleanupOptions,
  CleanupReport,
  CleanupService,
  ImageCleanup,
  RefCleanup,
} from './run.js';
