// @relkit/release-core: the release domain. Pure logic and ports only — no network I/O here.
export { ReleaseError } from './errors.js';
export type { ReleaseErrorCode } from './errors.js';
export {
  parseVersion,
  compareVersions,
  isCandidate,
  baseVersion,
  formatTag,
  nextCandidate,
  floatingTags,
} from './version.js';
export type { ReleaseVersion } from './version.js';
