import type { ChangelogOps } from '../publish/ports.js';
import { singleSection } from './edit.js';
import { finalize } from './finalize.js';
import { notes } from './notes.js';
import { parseChangelog } from './parse.js';

/**
 * The state of the section of `version`: `frozen` (`## [X.Y.Z] - TBD`), `dated` (finalized,
 * linked or not), `missing`, or `other`. Two sections for one version are an error.
 */
export function sectionState(text: string, version: string): 'frozen' | 'dated' | 'missing' | 'other' {
  const s = singleSection(parseChangelog(text), version);
  if (!s) return 'missing';
  return s.state === 'frozen' || s.state === 'dated' ? s.state : 'other';
}

/** The CHANGELOG engine as the publish phase's `ChangelogOps` port. */
export const changelogOps: ChangelogOps = {
  sectionState,
  finalize: (text, { version, date, repository, tagPrefix }) =>
    finalize(text, version, { date, repository, tagPrefix }),
  notes: (text, version) => notes(text, version),
};
