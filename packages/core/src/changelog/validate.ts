import type { Clock } from '../ports.js';
import {
  checkTagPrefix,
  compareLooseVersions,
  hasEntries,
  isRealDate,
  STANDARD_SUBSECTIONS,
  targetVersion,
  todayUtc,
} from './edit.js';
import { parseChangelog, positioner, type ChangelogSection } from './parse.js';

/*
 * validate: a structure report of the CHANGELOG (errors and warnings with line and column), and
 * the check that a version is frozen or finalized.
 */

export type ChangelogIssueCode =
  | 'unclosed-fence'
  | 'unclosed-comment'
  | 'missing-unreleased'
  | 'duplicate-unreleased'
  | 'unknown-subsection'
  | 'duplicate-version'
  | 'version-order'
  | 'date-order'
  | 'invalid-date'
  | 'future-date'
  | 'tbd-in-released'
  | 'unrecognized-heading'
  | 'missing-version'
  | 'not-finalized'
  | 'not-frozen'
  | 'empty-release';

export interface ChangelogIssue {
  readonly severity: 'error' | 'warning';
  readonly code: ChangelogIssueCode;
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

export interface ChangelogRelease {
  readonly version: string;
  readonly state: 'frozen' | 'dated' | 'undated' | 'unknown';
  readonly date: string | undefined;
  readonly line: number;
}

export interface ValidationReport {
  /** No errors (warnings allowed). */
  readonly ok: boolean;
  readonly errors: number;
  readonly warnings: number;
  readonly issues: readonly ChangelogIssue[];
  readonly releases: readonly ChangelogRelease[];
}

export interface ValidateOptions {
  /** Also check this version: it must exist and be in the `expect` state. */
  readonly version?: string;
  /** What `version` must be: `finalized` (dated, the post-finalize check; default) or `frozen` (TBD). */
  readonly expect?: 'frozen' | 'finalized';
  readonly tagPrefix?: string;
  /** Today (UTC), for future-date checks. Default: from `clock`. */
  readonly today?: string;
  readonly clock?: Clock;
}

/**
 * A structure report of the CHANGELOG: errors (duplicate or out-of-order versions, impossible
 * dates, a TBD left below a released version, an unclosed code fence, and — when a version is
 * given — that version missing or not in the expected state) and warnings (unknown subsection
 * names, future dates, dates out of order, unrecognized level-2 headings, no Unreleased, empty
 * releases). Issues are sorted by line.
 */
export function validate(text: string, options: ValidateOptions = {}): ValidationReport {
  checkTagPrefix(options.tagPrefix);
  const target =
    options.version === undefined ? undefined : targetVersion(options.version, options.tagPrefix).version;
  const today = options.today ?? todayUtc(options.clock);
  const doc = parseChangelog(text);
  const issues: ChangelogIssue[] = [];
  const position = positioner(doc.text);
  const add = (
    severity: ChangelogIssue['severity'],
    code: ChangelogIssueCode,
    offset: number,
    message: string,
  ) => {
    const p = position(offset);
    issues.push({ severity, code, message, line: p.line, column: p.column });
  };
  if (doc.unclosedFence) {
    const { line, column } = doc.unclosedFence;
    issues.push({
      severity: 'error',
      code: 'unclosed-fence',
      message: 'this code fence is never closed, so the rest of the file is code; close it',
      line,
      column,
    });
  }
  if (doc.unclosedComment) {
    const { line, column } = doc.unclosedComment;
    issues.push({
      severity: 'error',
      code: 'unclosed-comment',
      message: 'this HTML comment is never closed (no "-->"), so the rest of the file is hidden; close it',
      line,
      column,
    });
  }
  const unreleased = doc.sections.filter((s) => s.kind === 'unreleased');
  if (unreleased.length === 0) {
    issues.push({
      severity: 'warning',
      code: 'missing-unreleased',
      message: 'no "## Unreleased" section: new entries have nowhere to go',
      line: 1,
      column: 1,
    });
  }
  for (const extra of unreleased.slice(1)) {
    add(
      'error',
      'duplicate-unreleased',
      extra.heading.start,
      `a second Unreleased section (the first is on line ${unreleased[0]?.heading.line})`,
    );
  }
  const standard = new Set<string>(STANDARD_SUBSECTIONS.map((n) => n.toLowerCase()));
  const seen = new Map<string, ChangelogSection>();
  let above: ChangelogSection | undefined;
  let aboveDated: ChangelogSection | undefined;
  const releases: ChangelogRelease[] = [];
  let sawBody = false;
  for (const s of doc.sections) {
    if (s.kind === 'other') {
      // A level-1 title at the top is expected; other odd headings are worth a look.
      if (s.heading.level === 2 || sawBody) {
        add(
          'warning',
          'unrecognized-heading',
          s.heading.start,
          `"${s.heading.text}" is not a release heading (## [X.Y.Z] - YYYY-MM-DD or ## Unreleased)`,
        );
      }
      continue;
    }
    sawBody = true;
    for (const sub of s.subsections) {
      if (!standard.has(sub.name.trim().toLowerCase())) {
        add(
          'warning',
          'unknown-subsection',
          sub.heading.start,
          `"${sub.name}" is not a Keep a Changelog type (${STANDARD_SUBSECTIONS.join(', ')})`,
        );
      }
    }
    if (s.kind !== 'release' || s.version === undefined) continue;
    const v = s.version;
    releases.push({
      version: v,
      state: s.state as ChangelogRelease['state'],
      date: s.date?.iso,
      line: s.heading.line,
    });
    const dup = seen.get(v);
    if (dup)
      add(
        'error',
        'duplicate-version',
        s.heading.start,
        `${v} appears twice (also on line ${dup.heading.line})`,
      );
    else seen.set(v, s);
    if (above?.version !== undefined && compareLooseVersions(v, above.version) >= 0 && !dup) {
      // Listed by date (a maintenance release of an older line) is a style, not a mistake.
      const chronological = s.date !== undefined && above.date !== undefined && s.date.iso <= above.date.iso;
      add(
        chronological ? 'warning' : 'error',
        'version-order',
        s.heading.start,
        chronological
          ? `${v} comes after ${above.version} (line ${above.heading.line}) but is not lower; fine if releases are listed by date`
          : `${v} comes after ${above.version} (line ${above.heading.line}) but is not lower; newest releases go first`,
      );
    }
    if (s.date) {
      if (!isRealDate(s.date.iso))
        add('error', 'invalid-date', s.date.start, `${s.date.text} is not a real date`);
      else {
        if (s.date.iso > today)
          add('warning', 'future-date', s.date.start, `${s.date.text} is after today (${today}, UTC)`);
        if (aboveDated?.date && isRealDate(aboveDated.date.iso) && s.date.iso > aboveDated.date.iso) {
          add(
            'warning',
            'date-order',
            s.date.start,
            `${v} is dated ${s.date.text}, after ${aboveDated.version} (${aboveDated.date.text}, line ${aboveDated.heading.line}) above it`,
          );
        }
      }
    }
    if (s.state === 'frozen' && aboveDated) {
      add(
        'error',
        'tbd-in-released',
        s.placeholder?.start ?? s.heading.start,
        `${v} still says "${s.placeholder?.text ?? 'TBD'}" although ${aboveDated.version} above it is released; give it its release date`,
      );
    }
    if (s.state === 'dated' && !hasEntries(doc, s.bodyStart, s.end)) {
      add('warning', 'empty-release', s.heading.start, `${v} has no entries`);
    }
    above = s;
    if (s.state === 'dated') aboveDated = s;
  }
  if (target !== undefined) {
    const s = doc.sections.find((x) => x.kind === 'release' && x.version === target);
    const expect = options.expect ?? 'finalized';
    if (!s) {
      issues.push({
        severity: 'error',
        code: 'missing-version',
        message: `no section for ${target}`,
        ...(unreleased[0] ? position(unreleased[0].heading.start) : { line: 1, column: 1 }),
      });
    } else if (expect === 'finalized' && s.state !== 'dated') {
      add(
        'error',
        'not-finalized',
        s.placeholder?.start ?? s.heading.start,
        `${target} is not finalized: its heading is "${s.heading.text}", with no release date`,
      );
    } else if (expect === 'frozen' && s.state !== 'frozen') {
      add(
        'error',
        'not-frozen',
        s.heading.start,
        `${target} is not frozen: its heading is "${s.heading.text}", not "## [${target}] - TBD"`,
      );
    }
  }
  issues.sort((a, b) => a.line - b.line || a.column - b.column);
  const errors = issues.filter((i) => i.severity === 'error').length;
  return { ok: errors === 0, errors, warnings: issues.length - errors, issues, releases };
}
