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
export { freeze, unfreeze } from './freeze.js';
export type { FreezeOptions, UnfreezeOptions } from './freeze.js';
export { finalize } from './finalize.js';
export type { FinalizeOptions } from './finalize.js';
export { notes, releaseNotes, truncateNotes, GITHUB_RELEASE_BODY_LIMIT } from './notes.js';
export type { NotesOptions, ReleaseNotes } from './notes.js';
export { validate } from './validate.js';
export type {
  ValidateOptions,
  ValidationReport,
  ChangelogIssue,
  ChangelogIssueCode,
  ChangelogRelease,
} from './validate.js';
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
export { sectionState, changelogOps } from './publish-port.js';
