// The CHANGELOG engine: a lossless parser with positions, and the release operations on it as
// pure string → string functions, plus a small file layer with atomic writes.
export { parseChangelog, positionAt } from './parse.js';
export type {
  ChangelogDocument,
  ChangelogHeading,
  ChangelogSection,
  ChangelogSectionKind,
  ChangelogReleaseState,
  ChangelogSubsection,
  ChangelogDate,
  LinkDefinition,
  SourcePosition,
  TextSpan,
} from './parse.js';
export { STANDARD_SUBSECTIONS } from './edit.js';
export {
  freeze,
  unfreeze,
  finalize,
  notes,
  releaseNotes,
  truncateNotes,
  validate,
  GITHUB_RELEASE_BODY_LIMIT,
} from './operations.js';
export type {
  FreezeOptions,
  UnfreezeOptions,
  FinalizeOptions,
  NotesOptions,
  ReleaseNotes,
  ValidateOptions,
  ValidationReport,
  ChangelogIssue,
  ChangelogIssueCode,
  ChangelogRelease,
} from './operations.js';
export {
  readChangelogFile,
  writeFileAtomic,
  editChangelogFile,
  freezeFile,
  unfreezeFile,
  finalizeFile,
  notesFromFile,
  validateFile,
  parseChangelogFile,
} from './fs.js';
export type { ChangelogFileResult } from './fs.js';
export { sectionState, changelogOps } from './ops.js';
