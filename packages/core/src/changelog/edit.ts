import { ReleaseError } from '../errors.js';
import {
  changelogError,
  positionAt,
  type ChangelogDocument,
  type ChangelogSection,
  type LinkDefinition,
} from './parse.js';

/** One replacement of [start, end) in the original text. */
export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Applies non-overlapping edits in one pass (linear in the size of the text). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  if (edits.length === 0) return text;
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  // `+` builds a rope in V8 (no copy of the untouched megabytes); join() would copy them all.
  let out = '';
  let at = 0;
  for (const e of sorted) {
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}

export const STANDARD_SUBSECTIONS = [
  'Added',
  'Changed',
  'Deprecated',
  'Removed',
  'Fixed',
  'Security',
] as const;

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export interface TargetVersion {
  /** The bare version, e.g. `1.2.0`. */
  readonly version: string;
  /** A tag prefix that came with the input (`v` for `v1.2.0`), if any. */
  readonly prefix: string | undefined;
}

/**
 * Reads the version argument of an operation: bare semver (`1.2.0`), or semver with the tag
 * prefix in front (`v1.2.0`), which then also sets the prefix.
 */
export function targetVersion(input: string, tagPrefix?: string): TargetVersion {
  if (typeof input === 'string') {
    if (tagPrefix && input.startsWith(tagPrefix) && SEMVER.test(input.slice(tagPrefix.length))) {
      return { version: input.slice(tagPrefix.length), prefix: tagPrefix };
    }
    if (SEMVER.test(input)) return { version: input, prefix: undefined };
    if (
      /^[vV]/.test(input) &&
      SEMVER.test(input.slice(1)) &&
      (tagPrefix === undefined || tagPrefix === input[0])
    ) {
      return { version: input.slice(1), prefix: input[0] };
    }
  }
  throw new ReleaseError(
    'INVALID_VERSION',
    `"${String(input)}" is not a version: expected X.Y.Z (semver, e.g. 1.4.0), optionally with the tag prefix (v1.4.0)` +
      (tagPrefix ? `; the tag prefix given is "${tagPrefix}"` : ''),
  );
}

const TAG_PREFIX_RE = /^[A-Za-z0-9._/-]{0,40}$/;

/** Every operation checks its tag prefix option first: it ends up in tags and links. */
export function checkTagPrefix(tagPrefix: string | undefined): void {
  if (tagPrefix !== undefined && !TAG_PREFIX_RE.test(tagPrefix)) {
    throw new ReleaseError(
      'INVALID_ARGUMENT',
      `"${tagPrefix}" is not a tag prefix: use up to 40 letters, digits, ".", "_", "/" or "-" (e.g. "v")`,
    );
  }
}

/** Loose semver order for versions found in files (`0.1` and `1.0.0-beta.2` included). */
export function compareLooseVersions(a: string, b: string): number {
  const split = (v: string): [number[], string[] | undefined] => {
    const core = v.split('+')[0] ?? '';
    const dash = core.indexOf('-');
    const nums = (dash === -1 ? core : core.slice(0, dash)).split('.').map(Number);
    return [nums, dash === -1 ? undefined : core.slice(dash + 1).split('.')];
  };
  const [an, ap] = split(a);
  const [bn, bp] = split(b);
  for (let i = 0; i < Math.max(an.length, bn.length); i++) {
    const d = (an[i] ?? 0) - (bn[i] ?? 0);
    if (d) return d;
  }
  if (!ap || !bp) return ap ? -1 : bp ? 1 : 0;
  for (let i = 0; i < Math.max(ap.length, bp.length); i++) {
    const x = ap[i];
    const y = bp[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn && Number(x) !== Number(y)) return Number(x) - Number(y);
    if (xn !== yn) return xn ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function isRealDate(iso: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === iso;
}

export function todayUtc(clock?: { now(): Date }): string {
  return (clock ? clock.now() : new Date()).toISOString().slice(0, 10);
}

export function sectionsFor(doc: ChangelogDocument, version: string): ChangelogSection[] {
  return doc.sections.filter((s) => s.kind === 'release' && s.version === version);
}

export function unreleasedSection(doc: ChangelogDocument): ChangelogSection | undefined {
  return doc.sections.find((s) => s.kind === 'unreleased');
}

export function at(doc: ChangelogDocument, offset: number) {
  return positionAt(doc.text, offset);
}

/** The one section of `version`; an error naming both headings when there are two. */
export function singleSection(doc: ChangelogDocument, version: string): ChangelogSection | undefined {
  const found = sectionsFor(doc, version);
  if (found.length > 1) {
    const [first, second] = found as [ChangelogSection, ChangelogSection];
    throw changelogError(
      'CHANGELOG_STATE',
      at(doc, second.heading.start),
      `version ${version} has a second section here (the first is on line ${first.heading.line}); remove one of them`,
    );
  }
  return found[0];
}

/**
 * Explains a missing section precisely: an unclosed code fence that swallowed the rest of the
 * file, or a heading that mentions the version but is not a release heading.
 */
export function missingSectionError(doc: ChangelogDocument, version: string, wanted: string): ReleaseError {
  if (doc.unclosedFence) {
    return changelogError(
      'CHANGELOG_PARSE',
      doc.unclosedFence,
      `no section for ${version}: the code fence opened here is never closed, so everything after it is code; close it`,
    );
  }
  if (doc.unclosedComment) {
    return changelogError(
      'CHANGELOG_PARSE',
      doc.unclosedComment,
      `no section for ${version}: the HTML comment opened here is never closed (no "-->"), so everything after it is hidden; close it`,
    );
  }
  const near = doc.headings.find((h) => h.level <= 3 && h.text.includes(version));
  if (near) {
    return changelogError(
      'CHANGELOG_PARSE',
      { line: near.line, column: near.textStart - near.start + 1 },
      `this heading mentions ${version} but is not a release heading; write it as ${wanted}`,
    );
  }
  const unreleased = unreleasedSection(doc);
  const where = unreleased ? at(doc, unreleased.heading.start) : { line: 1, column: 1 };
  return changelogError('CHANGELOG_STATE', where, `no section for ${version}: expected ${wanted}`);
}

/**
 * Refuses to move sections around in a file whose structure is cut short by an unclosed code
 * fence or HTML comment: the sections after it are invisible, and edits would land inside it.
 */
export function requireClosedBlocks(doc: ChangelogDocument, operation: string): void {
  if (doc.unclosedFence) {
    throw changelogError(
      'CHANGELOG_PARSE',
      doc.unclosedFence,
      `this code fence is never closed, so the rest of the file is code; close it before ${operation}`,
    );
  }
  if (doc.unclosedComment) {
    throw changelogError(
      'CHANGELOG_PARSE',
      doc.unclosedComment,
      `this HTML comment is never closed (no "-->"), so the rest of the file is hidden; close it before ${operation}`,
    );
  }
}

/** Is `offset` inside an HTML comment block? */
export function inComment(doc: ChangelogDocument, offset: number): boolean {
  return doc.comments.some(([s, e]) => offset >= s && offset < e);
}

/** The text of a line ending at `offset` (the one of the heading line, or the file's). */
export function eolAt(doc: ChangelogDocument, contentEnd: number, end: number): string {
  return end > contentEnd ? doc.text.slice(contentEnd, end) : doc.eol;
}

/** Line ranges of the text in [start, end): [lineStart, contentEnd, lineEnd] triples. */
export function linesOf(text: string, start: number, end: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  let pos = start;
  while (pos < end) {
    let i = pos;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c === 10 || c === 13) break;
      i++;
    }
    let lineEnd = i;
    if (i < end) lineEnd = text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
    out.push([pos, i, Math.min(lineEnd, end)]);
    pos = lineEnd;
  }
  return out;
}

export function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

/**
 * The content of [start, end) without leading blank lines and trailing blank lines: returns
 * [from, to) where `to` is the end of the last non-blank line (before its line ending).
 */
export function trimBlankLines(text: string, start: number, end: number): [number, number] | undefined {
  const lines = linesOf(text, start, end);
  let a = 0;
  while (a < lines.length && isBlank(text, lines[a]![0], lines[a]![1])) a++;
  if (a === lines.length) return undefined;
  let b = lines.length - 1;
  while (b > a && isBlank(text, lines[b]![0], lines[b]![1])) b--;
  return [lines[a]![0], lines[b]![1]];
}

/** Does [start, end) hold an entry: a non-blank line that is neither a heading nor a comment? */
export function hasEntries(doc: ChangelogDocument, start: number, end: number): boolean {
  for (const [s, e] of linesOf(doc.text, start, end)) {
    if (isBlank(doc.text, s, e) || inComment(doc, s)) continue;
    if (/^ {0,3}#{1,6}(?:[ \t]|$)/.test(doc.text.slice(s, Math.min(e, s + 10)))) continue;
    return true;
  }
  return false;
}

/** The definition whose label matches a section's label, e.g. `[1.2.0]: …`. */
export function definitionFor(doc: ChangelogDocument, label: string): LinkDefinition | undefined {
  return doc.definitionsByKey.get(label.trim().replace(/\s+/g, ' ').toLowerCase());
}
