import {
  applyEdits,
  at,
  checkTagPrefix,
  compareLooseVersions,
  eolAt,
  hasEntries,
  requireClosedBlocks,
  singleSection,
  STANDARD_SUBSECTIONS,
  targetVersion,
  trimBlankLines,
  unreleasedSection,
  type TextEdit,
} from './edit.js';
import {
  changelogError,
  parseChangelog,
  type ChangelogDocument,
  type ChangelogSection,
  type ChangelogSubsection,
} from './parse.js';

/*
 * freeze and unfreeze: the Unreleased entries become `## [X.Y.Z] - TBD` when a release is
 * prepared, and go back when it is abandoned. Pure text → text, only the lines that must change,
 * idempotent (a second run returns its input).
 */

/** Offset after the line ending that follows `contentEnd` (or `contentEnd` at the end of the text). */
function afterEol(text: string, contentEnd: number): number {
  if (text.charCodeAt(contentEnd) === 13)
    return text.charCodeAt(contentEnd + 1) === 10 ? contentEnd + 2 : contentEnd + 1;
  if (text.charCodeAt(contentEnd) === 10) return contentEnd + 1;
  return contentEnd;
}

/** Blank lines at the end of [start, end), after the last non-blank line and its line ending. */
function trailingGap(text: string, start: number, end: number): { eolEnd: number; gap: string } {
  const trimmed = trimBlankLines(text, start, end);
  if (!trimmed) return { eolEnd: start, gap: text.slice(start, end) };
  const eolEnd = afterEol(text, trimmed[1]);
  return { eolEnd, gap: text.slice(Math.min(eolEnd, end), end) };
}

function headingLineText(
  doc: ChangelogDocument,
  s: { heading: { start: number; contentEnd: number } },
): string {
  return doc.text.slice(s.heading.start, s.heading.contentEnd);
}

function hashesOf(doc: ChangelogDocument, s: ChangelogSection): string {
  return doc.text.slice(s.heading.start, s.heading.textStart).trimEnd();
}

// ----------------------------------------------------------------------------------------------
// freeze

export interface FreezeOptions {
  /** Tag prefix, only to accept a prefixed version argument such as `v1.2.0`. */
  readonly tagPrefix?: string;
  /**
   * What the fresh Unreleased holds: `standard` (default) its subsection headings plus any of the
   * six standard ones it lacks, all empty — the always-present skeleton; `empty` just the heading.
   */
  readonly unreleasedSkeleton?: 'standard' | 'empty';
}

/**
 * Freezes the Unreleased entries as `## [X.Y.Z] - TBD`, placed under a fresh empty Unreleased.
 * The fresh Unreleased keeps its subsection headings when the file keeps an always-present
 * skeleton (all six standard subsections, or any empty one); subsections without entries are
 * left out of the frozen section. Entry lines move byte for byte.
 *
 * Refuses (CHANGELOG_STATE) when the version already exists, another version is still frozen,
 * Unreleased has no entries, or the version is not newer than the latest release below.
 * A second run (the version frozen, Unreleased empty) returns the text unchanged.
 */
export function freeze(text: string, version: string, options: FreezeOptions = {}): string {
  checkTagPrefix(options.tagPrefix);
  const v = targetVersion(version, options.tagPrefix).version;
  const doc = parseChangelog(text);
  const t = doc.text;
  requireClosedBlocks(doc, `freezing ${v}`);
  const existing = singleSection(doc, v);
  const u = unreleasedSection(doc);
  if (existing) {
    if (existing.state === 'frozen' && (!u || !hasEntries(doc, u.bodyStart, u.end))) return text;
    throw changelogError(
      'CHANGELOG_STATE',
      at(doc, existing.heading.start),
      existing.state === 'frozen'
        ? `${v} is already frozen here, and Unreleased (line ${u?.heading.line}) has new entries since; ` +
            `unfreeze ${v} first to release them together, or freeze them as the next version`
        : `version ${v} already exists here ("${existing.heading.text}"); choose a new version`,
    );
  }
  if (!u) {
    throw changelogError(
      'CHANGELOG_STATE',
      { line: 1, column: 1 },
      `no "## Unreleased" section: add one with the entries for ${v} above the latest release`,
    );
  }
  const otherFrozen = doc.sections.find((s) => s.kind === 'release' && s.state === 'frozen');
  if (otherFrozen) {
    throw changelogError(
      'CHANGELOG_STATE',
      at(doc, otherFrozen.heading.start),
      `${otherFrozen.version} is still frozen (TBD); finalize or unfreeze it before freezing ${v}`,
    );
  }
  if (!hasEntries(doc, u.bodyStart, u.end)) {
    throw changelogError(
      'CHANGELOG_STATE',
      at(doc, u.heading.start),
      `Unreleased has no entries, so there is nothing to freeze as ${v}; add the changes first`,
    );
  }
  const latest = doc.sections.find(
    (s) => s.kind === 'release' && s.version !== undefined && s.heading.start > u.heading.start,
  );
  if (latest?.version !== undefined && compareLooseVersions(v, latest.version) <= 0) {
    throw changelogError(
      'CHANGELOG_STATE',
      at(doc, latest.heading.start),
      `${v} is not newer than ${latest.version}, the latest release here; choose a higher version`,
    );
  }

  const eol = eolAt(doc, u.heading.contentEnd, u.heading.end);
  const firstSub = u.subsections[0]?.heading.start ?? u.end;
  const preambleHasEntries = hasEntries(doc, u.bodyStart, firstSub);
  const subsWithEntries = new Set(u.subsections.filter((s) => hasEntries(doc, s.bodyStart, s.end)));
  const keepSkeleton = options.unreleasedSkeleton !== 'empty';
  const standardIndex = (name: string) =>
    STANDARD_SUBSECTIONS.findIndex((n) => n.toLowerCase() === name.trim().toLowerCase());
  const present = new Set(u.subsections.map((s) => standardIndex(s.name)));
  const subHashes = '#'.repeat(Math.min(u.heading.level + 1, 6));
  let nextStandard = 0;
  const missingBefore = (limit: number): string => {
    let out = '';
    for (; nextStandard < limit; nextStandard++) {
      if (!present.has(nextStandard)) out += `${subHashes} ${STANDARD_SUBSECTIONS[nextStandard]}${eol}${eol}`;
    }
    return out;
  };

  // The fresh Unreleased: its heading line, its empty parts verbatim, emptied subsection headings.
  let fresh = t.slice(u.heading.start, u.heading.end);
  if (u.heading.end === u.heading.contentEnd) fresh += eol;
  fresh += preambleHasEntries ? eol : t.slice(u.bodyStart, firstSub);
  if (keepSkeleton) {
    for (const sub of u.subsections) {
      const k = standardIndex(sub.name);
      if (k >= nextStandard) fresh += missingBefore(k);
      let part = subsWithEntries.has(sub)
        ? `${headingLineText(doc, sub)}${eol}${eol}`
        : t.slice(sub.heading.start, sub.end);
      if (!/[\r\n]$/.test(part)) part += eol;
      fresh += part;
    }
    fresh += missingBefore(STANDARD_SUBSECTIONS.length);
  }
  if (!/[\r\n]$/.test(fresh)) fresh += eol;

  // The frozen section: the moved blocks, one blank line apart, then U's own trailing gap.
  const blocks: string[] = [];
  if (preambleHasEntries) {
    const r = trimBlankLines(t, u.bodyStart, firstSub);
    if (r) blocks.push(t.slice(r[0], r[1]));
  }
  for (const sub of u.subsections) {
    if (!subsWithEntries.has(sub)) continue;
    const r = trimBlankLines(t, sub.bodyStart, sub.end);
    blocks.push(t.slice(sub.heading.start, r ? r[1] : sub.heading.contentEnd));
  }
  // One blank line before whatever follows; at the end of the file, the file's own ending.
  const { eolEnd, gap } = trailingGap(t, u.bodyStart, u.end);
  const lastContent = trimBlankLines(t, u.bodyStart, u.end);
  const atEof = u.end === t.length;
  const trailer = atEof ? (lastContent && eolEnd === lastContent[1] ? '' : `${eol}${gap}`) : `${eol}${eol}`;
  const frozen = `${hashesOf(doc, u)} [${v}] - TBD${eol}${eol}${blocks.join(`${eol}${eol}`)}${trailer}`;
  return applyEdits(t, [{ start: u.heading.start, end: u.end, text: fresh + frozen }]);
}

// ----------------------------------------------------------------------------------------------
// unfreeze

export interface UnfreezeOptions {
  readonly tagPrefix?: string;
}

/**
 * Undoes a freeze for an abandoned release: the entries of `## [X.Y.Z] - TBD` go back into
 * Unreleased (same-named subsections merged, frozen entries first) and the frozen section is
 * removed. Without an Unreleased section, the frozen heading is renamed to `## Unreleased`.
 * Nothing frozen for the version: the text is returned unchanged. A dated (released) section is
 * never unfrozen: that is an error.
 */
export function unfreeze(text: string, version: string, options: UnfreezeOptions = {}): string {
  checkTagPrefix(options.tagPrefix);
  const v = targetVersion(version, options.tagPrefix).version;
  const doc = parseChangelog(text);
  const t = doc.text;
  requireClosedBlocks(doc, `unfreezing ${v}`);
  const s = singleSection(doc, v);
  if (!s) return text;
  if (s.state !== 'frozen') {
    throw changelogError(
      'CHANGELOG_STATE',
      at(doc, s.heading.start),
      s.state === 'dated'
        ? `${v} is already finalized (dated ${s.date?.text}); a released version cannot be unfrozen`
        : `${v} has no TBD placeholder ("${s.heading.text}"), so it is not frozen`,
    );
  }
  const u = unreleasedSection(doc);
  if (!u) {
    const end = s.placeholder ? s.placeholder.end : s.heading.contentEnd;
    return applyEdits(t, [{ start: s.labelStart, end, text: 'Unreleased' }]);
  }
  const eol = eolAt(doc, u.heading.contentEnd, u.heading.end);
  const key = (name: string) => name.trim().toLowerCase();
  const body = (start: number, end: number): string | undefined => {
    if (!hasEntries(doc, start, end)) return undefined;
    const r = trimBlankLines(t, start, end);
    return r ? t.slice(r[0], r[1]) : undefined;
  };
  const uFirst = u.subsections[0]?.heading.start ?? u.end;
  const sFirst = s.subsections[0]?.heading.start ?? s.end;
  const blocks: string[] = [];
  const pre = [body(s.bodyStart, sFirst), body(u.bodyStart, uFirst)].filter((b) => b !== undefined);
  if (pre.length) blocks.push(pre.join(eol));
  const used = new Set<ChangelogSubsection>();
  for (const sub of u.subsections) {
    const match = s.subsections.find((x) => !used.has(x) && key(x.name) === key(sub.name));
    if (match) used.add(match);
    const parts = [match && body(match.bodyStart, match.end), body(sub.bodyStart, sub.end)].filter(
      (b): b is string => b !== undefined,
    );
    blocks.push(
      parts.length ? `${headingLineText(doc, sub)}${eol}${eol}${parts.join(eol)}` : headingLineText(doc, sub),
    );
  }
  for (const sub of s.subsections) {
    if (used.has(sub) || !hasEntries(doc, sub.bodyStart, sub.end)) continue;
    const r = trimBlankLines(t, sub.bodyStart, sub.end);
    blocks.push(t.slice(sub.heading.start, r ? r[1] : sub.heading.contentEnd));
  }
  let merged = t.slice(u.heading.start, u.heading.end);
  if (u.heading.end === u.heading.contentEnd) merged += eol;
  merged += blocks.length ? `${eol}${blocks.join(`${eol}${eol}`)}` : '';
  const adjacent = u.end === s.heading.start;
  const gapSource = adjacent ? s : u;
  const { gap } = trailingGap(t, gapSource.bodyStart, gapSource.end);
  const endsAtEof =
    gapSource.end === t.length && !/[\r\n]$/.test(t.slice(gapSource.bodyStart, gapSource.end));
  const tail = blocks.length ? (endsAtEof ? '' : `${eol}${gap}`) : t.slice(u.heading.end, u.end);
  const edits: TextEdit[] = adjacent
    ? [{ start: u.heading.start, end: s.end, text: merged + (blocks.length ? tail : '') }]
    : [
        { start: u.heading.start, end: u.end, text: merged + tail },
        { start: s.heading.start, end: s.end, text: '' },
      ];
  return applyEdits(t, edits);
}
