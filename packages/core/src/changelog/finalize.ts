import { ReleaseError } from '../errors.js';
import type { Clock } from '../ports.js';
import {
  applyEdits,
  at,
  checkTagPrefix,
  definitionFor,
  eolAt,
  isRealDate,
  missingSectionError,
  singleSection,
  targetVersion,
  todayUtc,
  trimBlankLines,
  type TextEdit,
} from './edit.js';
import {
  changelogError,
  parseChangelog,
  type ChangelogDocument,
  type ChangelogSection,
  type LinkDefinition,
} from './parse.js';

/*
 * finalize: `## [X.Y.Z] - TBD` becomes the dated, linked release heading in the file's own house
 * style (tag prefix, link or reference definitions, date separator). Pure text → text, only the
 * lines that must change, idempotent (a second run returns its input).
 */

const REPOSITORY_RE = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

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
