import { ReleaseError } from '../errors.js';
import type { Clock } from '../ports.js';
import {
  applyEdits,
  definitionFor,
  hasEntries,
  isRealDate,
  missingSectionError,
  requireClosedBlocks,
  singleSection,
  targetVersion,
  todayUtc,
  trimBlankLines,
  unreleasedSection,
  at,
  compareLooseVersions,
  linesOf,
  STANDARD_SUBSECTIONS,
  type TextEdit,
} from './edit.js';
import {
  changelogError,
  parseChangelog,
  positioner,
  type ChangelogDocument,
  type ChangelogSection,
  type ChangelogSubsection,
  type LinkDefinition,
} from './parse.js';

/*
 * The CHANGELOG operations of a release. Each is a pure function from the file's text to the new
 * text (or to a report), edits only the lines that must change, and is idempotent: running it on
 * its own output returns that output unchanged.
 */

const REPOSITORY_RE = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const TAG_PREFIX_RE = /^[A-Za-z0-9._/-]{0,40}$/;

function checkTagPrefix(tagPrefix: string | undefined): void {
  if (tagPrefix !== undefined && !TAG_PREFIX_RE.test(tagPrefix)) {
    throw new ReleaseError(
      'INVALID_ARGUMENT',
      `"${tagPrefix}" is not a tag prefix: use up to 40 letters, digits, ".", "_", "/" or "-" (e.g. "v")`,
    );
  }
}

/** The text of a line ending at `offset` (the one of the heading line, or the file's). */
function eolAt(doc: ChangelogDocument, contentEnd: number, end: number): string {
  return end > contentEnd ? doc.text.slice(contentEnd, end) : doc.eol;
}

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

// ----------------------------------------------------------------------------------------------
// finalize

export interface FinalizeOptions {
  /** Release date, YYYY-MM-DD (UTC). Default: the existing date of an already finalized section, else today. */
  readonly date?: string;
  /** Clock for "today" (UTC); injected so callers and tests decide what now is. */
  readonly clock?: Clock;
  /**
   * OWNER/REPO for the release link. Default: `defaultRepository`, else the repository the file's
   * release links name. An explicit value must match an already finalized link.
   */
  readonly repository?: string;
  /**
   * A weaker default for new links (e.g. $GITHUB_REPOSITORY): used when `repository` is not given,
   * and never compared with an existing link, so a re-run after a repository rename is a no-op.
   */
  readonly defaultRepository?: string;
  /** Tag prefix (`v`). Default: the prefix the file's existing release links and definitions use, else none. */
  readonly tagPrefix?: string;
}

interface HouseStyle {
  readonly prefix: string | undefined;
  /** Whether the heading label shows the tag (`[v1.2.0]`) or the bare version (`[1.2.0]`). */
  readonly labelShowsTag: boolean | undefined;
  readonly repository: string | undefined;
  readonly dateSeparator: string | undefined;
  readonly inlineLinks: boolean | undefined;
}

const COMPARE_RE = /^(.*\/compare\/)(.+?)(\.{2,3})(.+)$/;
const RELEASE_TAG_RE = /\/releases\/tag\/([^/?#]+)$/;
const GITHUB_REPO_RE =
  /^https?:\/\/github\.com\/([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)\/(?:releases|compare|tree|commits?)\b/;

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** What tag a dated section's link or definition points at, if it says. */
function linkedTag(doc: ChangelogDocument, s: ChangelogSection): string | undefined {
  const url = s.link?.text ?? (s.label ? definitionFor(doc, s.label.text)?.url.text : undefined);
  if (!url) return undefined;
  const rel = RELEASE_TAG_RE.exec(url);
  if (rel?.[1]) return safeDecode(rel[1]);
  const cmp = COMPARE_RE.exec(url);
  return cmp?.[4] ? safeDecode(cmp[4]) : undefined;
}

/**
 * The file's house style, read from its released sections nearest to the target (the target
 * itself first when it is already dated, then the ones below it, then above).
 */
function houseStyle(doc: ChangelogDocument, target: ChangelogSection): HouseStyle {
  const i = doc.sections.indexOf(target);
  const ordered = [target, ...doc.sections.slice(i + 1), ...doc.sections.slice(0, i).reverse()].filter(
    (s) => s.kind === 'release' && s.state === 'dated' && s.version !== undefined,
  );
  let prefix: string | undefined;
  let labelShowsTag: boolean | undefined;
  let repository: string | undefined;
  for (const s of ordered) {
    const version = s.version as string;
    const tag = linkedTag(doc, s);
    if (prefix === undefined && tag?.endsWith(version)) prefix = tag.slice(0, tag.length - version.length);
    if (prefix === undefined && s.labelPrefix) prefix = s.labelPrefix;
    if (labelShowsTag === undefined && prefix) {
      if (s.labelPrefix === prefix) labelShowsTag = true;
      else if (s.labelPrefix === '') labelShowsTag = false;
    }
    const url = s.link?.text ?? (s.label ? definitionFor(doc, s.label.text)?.url.text : undefined);
    const repo = url ? GITHUB_REPO_RE.exec(url)?.[1] : undefined;
    if (repository === undefined && repo) repository = repo;
    if (prefix !== undefined && repository !== undefined && labelShowsTag !== undefined) break;
  }
  if (prefix === undefined) {
    const unrel = definitionFor(doc, 'unreleased');
    const left = unrel ? COMPARE_RE.exec(unrel.url.text)?.[2] : undefined;
    const latest = doc.sections.find((s) => s.kind === 'release' && s.version && left?.endsWith(s.version));
    if (left && latest?.version) prefix = left.slice(0, left.length - latest.version.length);
    else if (left) prefix = /^([^\d\s]{0,40}?)\d+\.\d+\.\d+/.exec(left)?.[1];
  }
  if (repository === undefined) {
    for (const d of doc.definitions) {
      const repo = GITHUB_REPO_RE.exec(d.url.text)?.[1];
      if (repo) {
        repository = repo;
        break;
      }
    }
  }
  const nearest = ordered.find((s) => s !== target);
  return {
    prefix,
    labelShowsTag,
    repository,
    dateSeparator: (target.date ?? nearest?.date)?.separator,
    // A plain dated heading is no evidence against links: without definitions, the linked form is written.
    inlineLinks: target.state === 'dated' ? target.link !== undefined : nearest?.link ? true : undefined,
  };
}

/** Does the file link its versions through reference definitions (`[1.2.0]: https://…`)? */
function usesDefinitions(doc: ChangelogDocument): boolean {
  return doc.sections.some(
    (s) =>
      s.kind !== 'other' &&
      s.label !== undefined &&
      !s.link &&
      definitionFor(doc, s.label.text) !== undefined,
  );
}

function replaceUrl(def: LinkDefinition, url: string): TextEdit {
  const raw = def.url;
  const wrapped = /^</.test(raw.text) || raw.end - raw.start === raw.text.length + 2 ? `<${url}>` : url;
  return { start: raw.start, end: raw.end, text: wrapped };
}

/**
 * Edits that add or update the link definitions of a release in a file that uses them:
 * `[X.Y.Z]: …/compare/PREV...X.Y.Z` (beside the previous version's definition: in the section
 * when definitions are interleaved, above it when they sit at the bottom) and
 * `[Unreleased]: …/compare/X.Y.Z...HEAD`.
 */
function definitionEdits(
  doc: ChangelogDocument,
  s: ChangelogSection,
  label: string,
  tag: string,
  prefix: string,
  repository: string | undefined,
): TextEdit[] {
  const edits: TextEdit[] = [];
  const t = doc.text;
  const unrel = definitionFor(doc, 'unreleased');
  const unrelCmp = unrel ? COMPARE_RE.exec(unrel.url.text) : null;
  const i = doc.sections.indexOf(s);
  const prev = doc.sections.slice(i + 1).find((x) => x.kind === 'release' && x.version !== undefined);
  const prevDef = prev?.label ? definitionFor(doc, prev.label.text) : undefined;
  const prevCmp = prevDef ? COMPARE_RE.exec(prevDef.url.text) : null;
  const base =
    unrelCmp?.[1] ?? prevCmp?.[1] ?? (repository ? `https://github.com/${repository}/compare/` : undefined);
  const dots = unrelCmp?.[3] ?? prevCmp?.[3] ?? '...';
  let prevTag: string | undefined;
  if (unrelCmp?.[2] && unrelCmp[2] !== tag) prevTag = unrelCmp[2];
  else if (prev)
    prevTag = (prev.state === 'dated' ? linkedTag(doc, prev) : undefined) ?? `${prefix}${prev.version}`;
  let url: string | undefined;
  if (base && prevTag) url = `${base}${prevTag}${dots}${tag}`;
  else if (base) url = `${base.replace(/compare\/$/, 'releases/tag/')}${tag}`;
  if (url) {
    const own = definitionFor(doc, label) ?? (s.label ? definitionFor(doc, s.label.text) : undefined);
    if (own) {
      // A definition that already points at this tag (compare …...TAG or releases/tag/TAG) is
      // right whatever it compares from; only a stale one is rewritten.
      const current = COMPARE_RE.exec(own.url.text)?.[4] ?? RELEASE_TAG_RE.exec(own.url.text)?.[1];
      if (current !== tag && own.url.text !== url) edits.push(replaceUrl(own, url));
    } else {
      const line = `[${label}]: ${url}`;
      const inSection = (d: LinkDefinition, x: ChangelogSection) => d.start >= x.bodyStart && d.start < x.end;
      if (prev && prevDef && inSection(prevDef, prev)) {
        const own = doc.definitions.find((d) => inSection(d, s));
        if (own)
          edits.push({
            start: own.start,
            end: own.start,
            text: `${line}${eolAt(doc, own.contentEnd, own.end)}`,
          });
        else {
          const r = trimBlankLines(t, s.bodyStart, s.end);
          const p = r ? r[1] : s.heading.contentEnd;
          edits.push({ start: p, end: p, text: `${doc.eol}${doc.eol}${line}` });
        }
      } else if (prevDef) {
        edits.push({
          start: prevDef.start,
          end: prevDef.start,
          text: `${line}${eolAt(doc, prevDef.contentEnd, prevDef.end)}`,
        });
      } else if (unrel) {
        const nl = unrel.end === unrel.contentEnd ? doc.eol : '';
        edits.push({
          start: unrel.end,
          end: unrel.end,
          text: `${nl}${line}${unrel.end === unrel.contentEnd ? '' : eolAt(doc, unrel.contentEnd, unrel.end)}`,
        });
      } else if (doc.footerStart < t.length) {
        edits.push({ start: doc.footerStart, end: doc.footerStart, text: `${line}${doc.eol}` });
      }
    }
  }
  if (unrel && unrelCmp) {
    const next = `${unrelCmp[1]}${tag}${unrelCmp[3]}${unrelCmp[4]}`;
    if (next !== unrel.url.text) edits.push(replaceUrl(unrel, next));
  }
  return edits;
}

/**
 * Finalizes a frozen release: `## [X.Y.Z] - TBD` becomes
 * `## [<prefix>X.Y.Z](https://github.com/OWNER/REPO/releases/tag/<prefix>X.Y.Z) - YYYY-MM-DD`
 * (the label shows the tag as the origin's prepare-changelog writes it, unless the file's
 * linked headings show bare versions). In a file that links versions through reference
 * definitions instead, the heading becomes `## [X.Y.Z] - YYYY-MM-DD` and the `[X.Y.Z]:` and
 * `[Unreleased]:` definitions are added or updated. Only those lines change.
 *
 * A re-run with the same (or no) date, prefix and repository is a no-op; a different one on an
 * already finalized section is a CHANGELOG_STATE error, as is a missing TBD section.
 */
export function finalize(text: string, version: string, options: FinalizeOptions = {}): string {
  checkTagPrefix(options.tagPrefix);
  const target = targetVersion(version, options.tagPrefix);
  const v = target.version;
  if (options.date !== undefined && !isRealDate(options.date)) {
    throw new ReleaseError(
      'INVALID_ARGUMENT',
      `"${options.date}" is not a date: expected YYYY-MM-DD, a real day (UTC)`,
    );
  }
  for (const repo of [options.repository, options.defaultRepository]) {
    if (repo !== undefined && !REPOSITORY_RE.test(repo)) {
      throw new ReleaseError(
        'INVALID_ARGUMENT',
        `"${repo}" is not a GitHub repository: expected OWNER/REPO (letters, digits, ".", "_", "-")`,
      );
    }
  }
  const doc = parseChangelog(text);
  const s = singleSection(doc, v);
  if (!s) throw missingSectionError(doc, v, `"## [${v}] - TBD" (freeze ${v} first)`);
  if (s.state !== 'frozen' && s.state !== 'dated') {
    throw changelogError(
      'CHANGELOG_STATE',
      at(doc, s.heading.start),
      `the heading of ${v} is "${s.heading.text}": finalize needs "## [${v}] - TBD"`,
    );
  }
  const style = houseStyle(doc, s);
  const prefix = options.tagPrefix ?? target.prefix ?? style.prefix ?? '';
  const tag = `${prefix}${v}`;
  const inline = style.inlineLinks ?? !usesDefinitions(doc);
  // Linked headings show the tag (as the origin writes them); definition-style files show the version.
  const label = prefix === '' || (style.labelShowsTag ?? inline) ? tag : v;
  const repository =
    options.repository ??
    (s.state === 'dated' ? style.repository : undefined) ??
    options.defaultRepository ??
    style.repository;
  const sep = style.dateSeparator === '.' || style.dateSeparator === '/' ? style.dateSeparator : '-';
  const edits: TextEdit[] = [];

  if (s.state === 'dated') {
    const date = s.date!;
    if (options.date !== undefined && options.date !== date.iso) {
      throw changelogError(
        'CHANGELOG_STATE',
        at(doc, date.start),
        `${v} is already finalized with date ${date.text}, not ${options.date}; a release date does not change — ` +
          `re-run with --date ${date.iso} (or without a date)`,
      );
    }
    const givenPrefix = options.tagPrefix !== undefined || target.prefix !== undefined;
    if (givenPrefix && s.label && s.label.text !== label && s.label.text !== tag) {
      throw changelogError(
        'CHANGELOG_STATE',
        at(doc, s.label.start),
        `${v} is already finalized as "${s.label.text}", but tag prefix "${prefix}" gives "${tag}"; ` +
          `the tag prefix must stay the same across re-runs: re-run with the prefix used first`,
      );
    }
    if (s.link && repository !== undefined) {
      const expected = `https://github.com/${repository}/releases/tag/${tag}`;
      const explicit = givenPrefix || options.repository !== undefined;
      if (explicit && s.link.text !== expected) {
        throw changelogError(
          'CHANGELOG_STATE',
          at(doc, s.link.start),
          `${v} is already finalized with link ${s.link.text}, but these arguments give ${expected} ` +
            `(a different tag prefix or repository); re-run with the original ones`,
        );
      }
    }
    if (!s.link && usesDefinitions(doc) && s.label) {
      edits.push(...definitionEdits(doc, s, s.label.text, linkedTag(doc, s) ?? tag, prefix, repository));
    }
    return applyEdits(text, edits);
  }

  const iso = options.date ?? todayUtc(options.clock);
  if (!isRealDate(iso)) {
    throw new ReleaseError('INVALID_ARGUMENT', `the clock gave "${iso}", which is not a date`);
  }
  const date = iso.replaceAll('-', sep);
  let heading: string;
  if (inline) {
    if (repository === undefined) {
      throw changelogError(
        'CHANGELOG_STATE',
        at(doc, s.heading.start),
        `finalize needs the GitHub repository (OWNER/REPO) for the release link of ${v}, and no release ` +
          `link in the file names it: pass the repository (--repository OWNER/REPO, or GITHUB_REPOSITORY)`,
      );
    }
    heading = `[${label}](https://github.com/${repository}/releases/tag/${tag}) - ${date}`;
  } else {
    heading = `[${label}] - ${date}`;
    edits.push(...definitionEdits(doc, s, label, tag, prefix, repository));
  }
  edits.push({ start: s.labelStart, end: s.placeholder!.end, text: heading });
  return applyEdits(text, edits);
}

// ----------------------------------------------------------------------------------------------
// notes

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

// ----------------------------------------------------------------------------------------------
// validate

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
