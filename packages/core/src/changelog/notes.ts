import { ReleaseError } from '../errors.js';
import {
  checkTagPrefix,
  linesOf,
  missingSectionError,
  singleSection,
  targetVersion,
  trimBlankLines,
  unreleasedSection,
} from './edit.js';
import { parseChangelog, type ChangelogSection, type LinkDefinition } from './parse.js';

/*
 * notes: the body of a version's section as a GitHub Release body — heading left out, blank lines
 * trimmed, the link definitions it uses appended, cut with a notice above GitHub's limit.
 */

/** GitHub refuses a release body longer than this many characters. */
export const GITHUB_RELEASE_BODY_LIMIT = 125_000;

export interface NotesOptions {
  readonly tagPrefix?: string;
  /** Longest body returned; longer notes are cut at a line and end with a notice. Default 125,000. */
  readonly maxLength?: number;
  /** Where the full notes can be read; the truncation notice links to it. */
  readonly fullNotesUrl?: string;
  /**
   * Append the link definitions the body uses but does not contain (`[#123]: https://…` at the
   * bottom of the file), so references still render on the release page. Default true.
   */
  readonly resolveReferences?: boolean;
}

export interface ReleaseNotes {
  /** The version, or `Unreleased`. */
  readonly version: string;
  /** The heading line the notes were taken from (not part of the body). */
  readonly heading: string;
  readonly line: number;
  readonly body: string;
  readonly truncated: boolean;
  /** Length of the body before truncation. */
  readonly fullLength: number;
}

function openConstructs(text: string): { fence: string | undefined; comment: boolean } {
  let fence: { char: string; len: number } | undefined;
  let comment = false;
  for (const [s, e] of linesOf(text, 0, text.length)) {
    const line = text.slice(s, e);
    if (fence) {
      const m = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
      if (m?.[1] && m[1][0] === fence.char && m[1].length >= fence.len) fence = undefined;
      continue;
    }
    if (comment) {
      if (line.includes('-->')) comment = false;
      continue;
    }
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (f?.[1] && !(f[1][0] === '`' && line.slice(f[0].length).includes('`'))) {
      fence = { char: f[1][0] as string, len: f[1].length };
      continue;
    }
    if (/^ {0,3}<!--/.test(line) && !line.slice(line.indexOf('<!--') + 4).includes('-->')) comment = true;
  }
  return { fence: fence ? fence.char.repeat(fence.len) : undefined, comment };
}

/**
 * Cuts `body` to at most `max` characters at a line boundary, closes a code fence or HTML
 * comment left open by the cut, and ends with a visible notice. Already short bodies pass through.
 */
export function truncateNotes(
  body: string,
  max = GITHUB_RELEASE_BODY_LIMIT,
  fullNotesUrl?: string,
  eol = '\n',
): { body: string; truncated: boolean } {
  if (body.length <= max) return { body, truncated: false };
  const where = fullNotesUrl ? `[the CHANGELOG](${fullNotesUrl})` : 'the CHANGELOG';
  const notice = `${eol}${eol}---${eol}${eol}*These release notes were cut to fit GitHub's limit of ${max.toLocaleString('en-US')} characters; the full notes are in ${where}.*`;
  let budget = max - notice.length;
  for (let attempt = 0; attempt < 8 && budget > 0; attempt++) {
    let cut = Math.max(body.lastIndexOf('\n', budget), body.lastIndexOf('\r', budget));
    if (cut <= 0) {
      cut = budget;
      const c = body.charCodeAt(cut - 1);
      if (c >= 0xd800 && c <= 0xdbff) cut--;
    }
    const kept = body.slice(0, cut).trimEnd();
    const open = openConstructs(kept);
    const closer = `${open.comment ? `${eol}-->` : ''}${open.fence ? `${eol}${open.fence}` : ''}`;
    const result = `${kept}${closer}${notice}`;
    if (result.length <= max) return { body: result, truncated: true };
    budget -= result.length - max;
  }
  // Nothing of the body fits beside the notice (a tiny max): the notice alone, cut to size.
  return { body: notice.trim().slice(0, max), truncated: true };
}

/**
 * The release notes of a version: its section body without the heading (what becomes the GitHub
 * Release body), blank lines trimmed, referenced link definitions appended, and cut with a notice
 * above GitHub's 125,000-character limit. `version` may be `Unreleased` for a preview.
 */
export function releaseNotes(text: string, version: string, options: NotesOptions = {}): ReleaseNotes {
  checkTagPrefix(options.tagPrefix);
  const max = options.maxLength ?? GITHUB_RELEASE_BODY_LIMIT;
  if (!Number.isInteger(max) || max < 1) {
    throw new ReleaseError('INVALID_ARGUMENT', `maxLength must be a positive integer, got ${String(max)}`);
  }
  const doc = parseChangelog(text);
  let s: ChangelogSection | undefined;
  let name: string;
  if (typeof version === 'string' && /^unreleased$/i.test(version)) {
    s = unreleasedSection(doc);
    name = 'Unreleased';
    if (!s) throw missingSectionError(doc, 'Unreleased', '"## Unreleased"');
  } else {
    name = targetVersion(version, options.tagPrefix).version;
    s = singleSection(doc, name);
    if (!s) throw missingSectionError(doc, name, `"## [${name}] - YYYY-MM-DD"`);
  }
  const t = doc.text;
  const r = trimBlankLines(t, s.bodyStart, s.end);
  let body = r ? t.slice(r[0], r[1]).trimEnd() : '';
  if (options.resolveReferences !== false && body.includes('[')) {
    const inside = new Set(
      doc.definitions.filter((d) => d.start >= s.bodyStart && d.start < s.end).map((d) => d.key),
    );
    const wanted = new Map<string, LinkDefinition>();
    for (const m of body.matchAll(/\[([^[\]\r\n]{1,999})\]/g)) {
      const key = (m[1] ?? '').trim().replace(/\s+/g, ' ').toLowerCase();
      const def = doc.definitionsByKey.get(key);
      if (def && !inside.has(key) && !wanted.has(key)) wanted.set(key, def);
    }
    if (wanted.size) {
      const eol = doc.eol;
      const defs = [...wanted.values()]
        .sort((a, b) => a.start - b.start)
        .map((d) => t.slice(d.start, d.contentEnd));
      body = `${body}${eol}${eol}${defs.join(eol)}`;
    }
  }
  const fullLength = body.length;
  const cut = truncateNotes(body, max, options.fullNotesUrl, doc.eol);
  return {
    version: name,
    heading: t.slice(s.heading.start, s.heading.contentEnd),
    line: s.heading.line,
    body: cut.body,
    truncated: cut.truncated,
    fullLength,
  };
}

/** The release notes body of a version (see releaseNotes). */
export function notes(text: string, version: string, options: NotesOptions = {}): string {
  return releaseNotes(text, version, options).body;
}
