import { ReleaseError } from '../errors.js';

/**
 * A lossless view of a Keep-a-Changelog file: positions (offsets into the original text) of the
 * headings, release sections and link-reference definitions. Nothing is re-serialised: every
 * operation edits the original string at these offsets, so all other bytes survive untouched.
 *
 * The scanner follows CommonMark where it matters for finding structure: ATX headings (0–3
 * spaces of indent), fenced code blocks (``` and ~~~, so `## ` inside code is not a heading),
 * HTML comment blocks, and link-reference definitions (which cannot interrupt a paragraph).
 * Line endings may be LF, CRLF or lone CR, mixed; a UTF-8 BOM is kept.
 */

export interface SourcePosition {
  /** 1-based line number. */
  readonly line: number;
  /** 1-based column, in UTF-16 code units like editors count them. */
  readonly column: number;
}

export interface ChangelogHeading {
  /** 1–6, the number of `#`. */
  readonly level: number;
  readonly line: number;
  /** Offset of the first character of the line. */
  readonly start: number;
  /** Offset just before the line ending. */
  readonly contentEnd: number;
  /** Offset just after the line ending. */
  readonly end: number;
  /** Offset of the heading text (after the `#`s and the spaces). */
  readonly textStart: number;
  /** The heading text without the `#`s, surrounding spaces and closing `#` sequence. */
  readonly text: string;
}

export type ChangelogSectionKind = 'unreleased' | 'release' | 'other';

/**
 * The state of a release heading:
 * - `unreleased`: `## Unreleased` / `## [Unreleased]`;
 * - `frozen`: a version with a placeholder date (`- TBD`, `- Unreleased`, `- ????-??-??`, …);
 * - `dated`: a version with a date (`- 2026-04-08`, linked or not);
 * - `undated`: a version with nothing after it (`## 1.2.0`, changesets style);
 * - `unknown`: a version followed by text that is neither a date nor a placeholder.
 */
export type ChangelogReleaseState = 'unreleased' | 'frozen' | 'dated' | 'undated' | 'unknown';

export interface TextSpan {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

export interface ChangelogDate extends TextSpan {
  /** The date as YYYY-MM-DD whatever the separator in the file. */
  readonly iso: string;
  /** The separator the file uses between year, month and day (`-`, `.` or `/`). */
  readonly separator: string;
}

export interface ChangelogSubsection {
  readonly heading: ChangelogHeading;
  /** The heading text, e.g. `Added`. */
  readonly name: string;
  /** Offset after the heading line. */
  readonly bodyStart: number;
  /** Offset of the next level-3-or-higher heading, or the end of the section. */
  readonly end: number;
}

export interface ChangelogSection {
  readonly kind: ChangelogSectionKind;
  readonly heading: ChangelogHeading;
  readonly state: ChangelogReleaseState | undefined;
  /** The bracketed or leading label: `1.2.0`, `v1.2.0`, `Unreleased`. Absolute offsets. */
  readonly label: TextSpan | undefined;
  /** Offset of the `[` before the label, or of the label when it has no brackets. */
  readonly labelStart: number;
  /** The version inside the label, without any tag prefix (`1.2.0` for `v1.2.0`). */
  readonly version: string | undefined;
  /** What precedes the version in the label (`v` for `v1.2.0`, `''` for `1.2.0`). */
  readonly labelPrefix: string | undefined;
  /** An inline link right after the label: `[1.2.0](URL)`. */
  readonly link: TextSpan | undefined;
  readonly date: ChangelogDate | undefined;
  /** The placeholder of a frozen heading (`TBD`), including parentheses when written `(TBD)`. */
  readonly placeholder: TextSpan | undefined;
  /** Offset after the heading line. */
  readonly bodyStart: number;
  /** Offset of the next level-1/2 heading, of the footer of link definitions, or of the end. */
  readonly end: number;
  readonly subsections: readonly ChangelogSubsection[];
}

export interface LinkDefinition {
  /** The label as written, without brackets. */
  readonly label: string;
  /** Case-folded, whitespace-collapsed label: how CommonMark matches references. */
  readonly key: string;
  readonly url: TextSpan;
  readonly line: number;
  readonly start: number;
  readonly contentEnd: number;
  readonly end: number;
}

export interface ChangelogDocument {
  readonly text: string;
  /** The line ending new lines get: the first one found in the file, LF when there is none. */
  readonly eol: string;
  readonly headings: readonly ChangelogHeading[];
  readonly sections: readonly ChangelogSection[];
  readonly definitions: readonly LinkDefinition[];
  /** First definition per key, as CommonMark resolves duplicates. */
  readonly definitionsByKey: ReadonlyMap<string, LinkDefinition>;
  /** Start of the trailing block of link definitions at the end of the file, or the text length. */
  readonly footerStart: number;
  /** HTML comment blocks `<!-- … -->` as [start, end) offsets. */
  readonly comments: readonly (readonly [number, number])[];
  /** Where a code fence was opened and never closed (everything after it is code). */
  readonly unclosedFence: SourcePosition | undefined;
  /** Where an HTML comment was opened and never closed (everything after it is hidden). */
  readonly unclosedComment: SourcePosition | undefined;
}

/** A CHANGELOG error that names its place in the file: `line 8, column 4: …`. */
export function changelogError(
  code: 'CHANGELOG_PARSE' | 'CHANGELOG_STATE',
  at: SourcePosition,
  message: string,
): ReleaseError {
  return new ReleaseError(code, `line ${at.line}, column ${at.column}: ${message}`, {
    details: { line: at.line, column: at.column },
  });
}

/** Line and column of an offset, counting LF, CRLF and lone CR as one line break each. */
export function positionAt(text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * A fast offset → position function for many lookups in one text: the line starts are indexed
 * once, then each lookup is a binary search.
 */
export function positioner(text: string): (offset: number) => SourcePosition {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (starts[lo] as number) + 1 };
  };
}

const SPACE = 32;
const TAB = 9;

function isBlankRange(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== TAB) return false;
  }
  return true;
}

const DEFINITION_RE = /^ {0,3}\[((?:[^\\[\]]|\\.){1,999})\]:[ \t]*(<[^<>]*>|\S+)(?:[ \t].*)?$/;

/** Parses the text after the `#`s of a level-1/2 heading as a release heading. */
function describeHeading(
  heading: ChangelogHeading,
): Omit<ChangelogSection, 'heading' | 'bodyStart' | 'end' | 'subsections'> {
  const text = heading.text;
  const base = heading.textStart;
  const none = {
    kind: 'other' as const,
    state: undefined,
    label: undefined,
    labelStart: base,
    version: undefined,
    labelPrefix: undefined,
    link: undefined,
    date: undefined,
    placeholder: undefined,
  };
  let label: TextSpan;
  let i: number;
  let link: TextSpan | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close <= 1) return none;
    label = { text: text.slice(1, close), start: base + 1, end: base + close };
    i = close + 1;
    if (text[i] === '(') {
      const closeParen = text.indexOf(')', i);
      if (closeParen === -1) return none;
      link = { text: text.slice(i + 1, closeParen), start: base + i + 1, end: base + closeParen };
      i = closeParen + 1;
    }
  } else {
    const m = /^[^\s[\]()]+/.exec(text);
    if (!m) return none;
    label = { text: m[0], start: base, end: base + m[0].length };
    i = m[0].length;
  }
  let kind: ChangelogSectionKind;
  let version: string | undefined;
  let labelPrefix: string | undefined;
  if (/^unreleased$/i.test(label.text)) {
    kind = 'unreleased';
  } else {
    const m = /^([^\s\d]{0,40}?)(\d+(?:\.\d+)+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$/.exec(label.text);
    if (!m || (m[1] !== '' && /[.\d]$/.test(m[1] ?? ''))) return none;
    kind = 'release';
    labelPrefix = m[1];
    version = m[2];
  }
  const common = {
    kind,
    label,
    labelStart: text.startsWith('[') ? base : label.start,
    version,
    labelPrefix,
    link,
  };
  const rest = text.slice(i);
  // Separator then "when": ` - 2026-04-08`, ` – TBD`, `: 2026-04-08`, ` / 2026-04-08`, or `(Unreleased)`.
  const sep = /^[ \t]*(?:[-–—:/][ \t]*)?/.exec(rest);
  let whenAt = i + (sep ? sep[0].length : 0);
  const when = text.slice(whenAt);
  let paren = false;
  if (when.startsWith('(') && when.includes(')')) {
    paren = true;
  }
  if (when === '') {
    return {
      ...common,
      state: kind === 'unreleased' ? 'unreleased' : 'undated',
      date: undefined,
      placeholder: undefined,
    };
  }
  const inner = paren ? when.slice(1, when.indexOf(')')) : when;
  if (paren) whenAt += 1;
  const dm = /^(\d{4})([-./])(\d{1,2})\2(\d{1,2})(?!\d)/.exec(inner);
  if (dm) {
    const iso = `${dm[1]}-${(dm[3] ?? '').padStart(2, '0')}-${(dm[4] ?? '').padStart(2, '0')}`;
    const date: ChangelogDate = {
      text: dm[0],
      start: base + whenAt,
      end: base + whenAt + dm[0].length,
      iso,
      separator: dm[2] ?? '-',
    };
    return {
      ...common,
      state: kind === 'unreleased' ? 'unreleased' : 'dated',
      date,
      placeholder: undefined,
    };
  }
  const pm = /^(?:TBD|TBA|Unreleased|\?{4}-\?{2}-\?{2}|YYYY-MM-DD)(?![\w-])/i.exec(inner);
  if (pm) {
    const start = base + (paren ? whenAt - 1 : whenAt);
    const end = base + whenAt + pm[0].length + (paren && inner.length === pm[0].length ? 1 : 0);
    const placeholder = { text: text.slice(start - base, end - base), start, end };
    return {
      ...common,
      state: kind === 'unreleased' ? 'unreleased' : 'frozen',
      date: undefined,
      placeholder,
    };
  }
  return {
    ...common,
    state: kind === 'unreleased' ? 'unreleased' : 'unknown',
    date: undefined,
    placeholder: undefined,
  };
}

/**
 * Parses a CHANGELOG. It accepts any text (odd headings become `other` sections); it throws a
 * `CHANGELOG_PARSE` ReleaseError only for input that is not Markdown text at all.
 */
export function parseChangelog(text: string): ChangelogDocument {
  if (typeof text !== 'string') {
    throw changelogError(
      'CHANGELOG_PARSE',
      { line: 1, column: 1 },
      `expected the CHANGELOG as text, got ${typeof text}`,
    );
  }
  const nul = text.indexOf('\0');
  if (nul !== -1) {
    throw changelogError(
      'CHANGELOG_PARSE',
      positionAt(text, nul),
      'the file contains a NUL character, so it is not a Markdown CHANGELOG (binary or UTF-16 file?); save it as UTF-8 text',
    );
  }
  const len = text.length;
  const headings: ChangelogHeading[] = [];
  const definitions: LinkDefinition[] = [];
  const comments: [number, number][] = [];
  let eol = '';
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 0;
  let nextLF = text.indexOf('\n', pos);
  let nextCR = text.indexOf('\r', pos);
  let fence: { char: number; len: number; line: number; column: number } | undefined;
  let commentStart = -1;
  let commentLine: SourcePosition = { line: 1, column: 1 };
  // Cached position of the next `-->`, so a long unclosed comment is not rescanned per line.
  let nextClose = 0;
  // What the previous line was: a link definition may follow a blank line, a heading, another
  // definition or the start of the file, but not a paragraph line.
  let prevAllowsDefinition = true;
  // The current run of trailing blank/definition lines: where its first definition starts.
  let runFirstDef = -1;

  while (pos < len) {
    if (nextLF !== -1 && nextLF < pos) nextLF = text.indexOf('\n', pos);
    if (nextCR !== -1 && nextCR < pos) nextCR = text.indexOf('\r', pos);
    const lf = nextLF === -1 ? len : nextLF;
    let contentEnd: number;
    let end: number;
    if (nextCR !== -1 && nextCR < lf) {
      contentEnd = nextCR;
      end = text.charCodeAt(nextCR + 1) === 10 ? nextCR + 2 : nextCR + 1;
    } else {
      contentEnd = lf;
      end = lf === len ? len : lf + 1;
    }
    if (eol === '' && end > contentEnd) eol = text.slice(contentEnd, end);
    line++;
    const start = pos;
    pos = end;

    if (fence) {
      let j = start;
      while (j < contentEnd && j - start < 3 && text.charCodeAt(j) === SPACE) j++;
      let k = j;
      while (k < contentEnd && text.charCodeAt(k) === fence.char) k++;
      if (k - j >= fence.len && isBlankRange(text, k, contentEnd)) fence = undefined;
      runFirstDef = -1;
      continue;
    }
    if (commentStart !== -1) {
      if (nextClose !== -1 && nextClose < start) nextClose = text.indexOf('-->', start);
      if (nextClose !== -1 && nextClose + 3 <= contentEnd) {
        comments.push([commentStart, end]);
        commentStart = -1;
      }
      runFirstDef = -1;
      prevAllowsDefinition = false;
      continue;
    }
    let i = start;
    while (i < contentEnd && i - start < 4 && text.charCodeAt(i) === SPACE) i++;
    if (isBlankRange(text, i, contentEnd)) {
      prevAllowsDefinition = true;
      continue;
    }
    const indented = i - start >= 4 || text.charCodeAt(i) === TAB;
    const c = text.charCodeAt(i);
    if (!indented && c === 35 /* # */) {
      let h = i;
      while (h < contentEnd && text.charCodeAt(h) === 35) h++;
      const level = h - i;
      const after = text.charCodeAt(h);
      if (level <= 6 && (h === contentEnd || after === SPACE || after === TAB)) {
        let ts = h;
        while (ts < contentEnd && (text.charCodeAt(ts) === SPACE || text.charCodeAt(ts) === TAB)) ts++;
        let te = contentEnd;
        while (te > ts && (text.charCodeAt(te - 1) === SPACE || text.charCodeAt(te - 1) === TAB)) te--;
        // A closing sequence of #s is not part of the text when a space precedes it.
        let ce = te;
        while (ce > ts && text.charCodeAt(ce - 1) === 35) ce--;
        if (ce < te && (ce === ts || text.charCodeAt(ce - 1) === SPACE || text.charCodeAt(ce - 1) === TAB)) {
          te = ce;
          while (te > ts && (text.charCodeAt(te - 1) === SPACE || text.charCodeAt(te - 1) === TAB)) te--;
        }
        headings.push({ level, line, start, contentEnd, end, textStart: ts, text: text.slice(ts, te) });
        prevAllowsDefinition = true;
        runFirstDef = -1;
        continue;
      }
    }
    if (!indented && (c === 96 /* ` */ || c === 126) /* ~ */) {
      let k = i;
      while (k < contentEnd && text.charCodeAt(k) === c) k++;
      let info = k;
      if (c === 96) while (info < contentEnd && text.charCodeAt(info) !== 96) info++;
      // A backtick fence's info string may not contain a backtick (that is inline code).
      if (k - i >= 3 && (c === 126 || info === contentEnd)) {
        fence = { char: c, len: k - i, line, column: i - start + 1 };
        prevAllowsDefinition = false;
        runFirstDef = -1;
        continue;
      }
    }
    if (!indented && c === 60 /* < */ && text.startsWith('<!--', i)) {
      const close = text.indexOf('-->', i + 4);
      nextClose = close;
      if (close === -1 || close + 3 > contentEnd) {
        commentStart = start;
        commentLine = { line, column: i - start + 1 };
      } else comments.push([start, end]);
      prevAllowsDefinition = false;
      runFirstDef = -1;
      continue;
    }
    if (!indented && c === 91 /* [ */ && prevAllowsDefinition) {
      const m = DEFINITION_RE.exec(text.slice(start, contentEnd));
      if (m && /\S/.test(m[1] ?? '')) {
        const rawLabel = m[1] ?? '';
        const rawUrl = m[2] ?? '';
        const urlOffset = start + (m[0].indexOf(']:') + 2);
        const urlStart = text.indexOf(rawUrl, urlOffset);
        definitions.push({
          label: rawLabel,
          key: rawLabel.trim().replace(/\s+/g, ' ').toLowerCase(),
          url: { text: rawUrl.replace(/^<|>$/g, ''), start: urlStart, end: urlStart + rawUrl.length },
          line,
          start,
          contentEnd,
          end,
        });
        if (runFirstDef === -1) runFirstDef = start;
        prevAllowsDefinition = true;
        continue;
      }
    }
    prevAllowsDefinition = false;
    runFirstDef = -1;
  }
  const unclosedComment = commentStart === -1 ? undefined : commentLine;
  if (commentStart !== -1) comments.push([commentStart, len]);

  const lastHeadingEnd = headings.length ? (headings[headings.length - 1] as ChangelogHeading).end : 0;
  const footerStart = runFirstDef !== -1 && runFirstDef >= lastHeadingEnd ? runFirstDef : len;

  // One pass over the headings: each level-1/2 heading opens a section that runs to the next one
  // (or to the footer), and each level-3 heading inside opens a subsection.
  const sections: ChangelogSection[] = [];
  for (let n = 0; n < headings.length; n++) {
    const heading = headings[n] as ChangelogHeading;
    if (heading.level > 2) continue;
    let m = n + 1;
    while (m < headings.length && (headings[m] as ChangelogHeading).level > 2) m++;
    const next = headings[m];
    const end = next ? next.start : Math.max(heading.end, footerStart);
    const subsections: ChangelogSubsection[] = [];
    for (let k = n + 1; k < m; k++) {
      const sh = headings[k] as ChangelogHeading;
      if (sh.level !== 3 || sh.start >= end) continue;
      let f = k + 1;
      while (f < m && (headings[f] as ChangelogHeading).level > 3) f++;
      const following = f < m ? (headings[f] as ChangelogHeading).start : end;
      subsections.push({ heading: sh, name: sh.text, bodyStart: sh.end, end: Math.min(following, end) });
    }
    sections.push({ ...describeHeading(heading), heading, bodyStart: heading.end, end, subsections });
    n = m - 1;
  }

  const definitionsByKey = new Map<string, LinkDefinition>();
  for (const d of definitions) if (!definitionsByKey.has(d.key)) definitionsByKey.set(d.key, d);

  return {
    text,
    eol: eol || '\n',
    headings,
    sections,
    definitions,
    definitionsByKey,
    footerStart,
    comments,
    unclosedFence: fence ? { line: fence.line, column: fence.column } : undefined,
    unclosedComment,
  };
}
