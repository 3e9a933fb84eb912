import { isAbsolute, join } from 'node:path';
import { ReleaseError } from '@relkit/release-core';
import {
  finalizeFile,
  freezeFile,
  notesFromFile,
  parseChangelog,
  unfreezeFile,
  validateFile,
  type ChangelogFileResult,
  type ValidationReport,
} from '@relkit/release-core/changelog';
import {
  ExitCode,
  UsageError,
  stringOption,
  writeJson,
  type CliContext,
  type Command,
  type ParsedArgs,
} from '../command.js';

/*
 * `release-cli changelog …`: the CHANGELOG edits of a release. Parsing arguments and rendering
 * only; the edits are @relkit/release-core's (pure functions + atomic file writes).
 */

const common = {
  file: { type: 'string', short: 'f' },
  'tag-prefix': { type: 'string' },
  json: { type: 'boolean' },
} as const;

const COMMON_HELP = `  -f, --file PATH       the CHANGELOG (default CHANGELOG.md in the current directory)
  --tag-prefix P        tag prefix such as "v" (default: what the file's release links use, else none);
                        a version argument may also carry it: v1.2.0
  --json                machine-readable output`;

function filePath(args: ParsedArgs, ctx: CliContext): string {
  const f = stringOption(args, 'file') ?? 'CHANGELOG.md';
  return isAbsolute(f) ? f : join(ctx.cwd, f);
}

function displayPath(args: ParsedArgs): string {
  return stringOption(args, 'file') ?? 'CHANGELOG.md';
}

/** Bad arguments found by core (version, date, repository, prefix) are usage errors: exit 2. */
async function usage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ReleaseError && (e.code === 'INVALID_VERSION' || e.code === 'INVALID_ARGUMENT')) {
      throw new UsageError(e.message);
    }
    throw e;
  }
}

/** The heading line and line number of a version after an edit, for the report. */
function headingOf(text: string, version: string): { heading: string; line: number } | undefined {
  const v = version.replace(/^[vV](?=\d)/, '');
  const s = parseChangelog(text).sections.find((x) => x.version === v || x.label?.text === version);
  return s ? { heading: text.slice(s.heading.start, s.heading.contentEnd), line: s.heading.line } : undefined;
}

function report(
  ctx: CliContext,
  args: ParsedArgs,
  verb: string,
  version: string,
  result: ChangelogFileResult,
  extra: Record<string, unknown> = {},
): ExitCode {
  const at = headingOf(result.text, version);
  const file = displayPath(args);
  if (args.values.json) {
    writeJson(ctx, {
      file,
      version,
      operation: verb,
      changed: result.changed,
      heading: at?.heading ?? null,
      line: at?.line ?? null,
      ...extra,
    });
  } else if (result.changed) {
    ctx.stdout(`${verb} ${version} in ${file}${at ? `: line ${at.line}: ${at.heading}` : ''}\n`);
  } else {
    ctx.stdout(
      `${file}: ${version} is already ${verb}; nothing to change${at ? ` (line ${at.line}: ${at.heading})` : ''}\n`,
    );
  }
  return ExitCode.ok;
}

const freeze: Command = {
  path: ['changelog', 'freeze'],
  summary: 'move the Unreleased entries under "## [X.Y.Z] - TBD" below a fresh empty Unreleased',
  usage: 'changelog freeze <version> [--file CHANGELOG.md] [--tag-prefix P] [--json]',
  help: `Refuses when the version exists, another version is still frozen, Unreleased has no
entries, or the version is not newer than the latest release. Running it again is a no-op.

Options:
${COMMON_HELP}`,
  options: { ...common },
  positionals: [1, 1],
  async run(args, ctx) {
    const version = args.positionals[0] as string;
    const tagPrefix = stringOption(args, 'tag-prefix');
    const result = await usage(() => freezeFile(filePath(args, ctx), version, { tagPrefix }));
    return report(ctx, args, 'frozen', version, result);
  },
};

const finalize: Command = {
  path: ['changelog', 'finalize'],
  summary: 'date and link the frozen section: "## [X.Y.Z](…/releases/tag/X.Y.Z) - YYYY-MM-DD"',
  usage:
    'changelog finalize <version> [--file CHANGELOG.md] [--date YYYY-MM-DD] [--repository OWNER/REPO] [--tag-prefix P] [--json]',
  help: `Only the heading line changes (and, in a file that links versions through reference
definitions at the bottom, its [X.Y.Z]: and [Unreleased]: lines). A re-run with the same
arguments is a no-op; another date or prefix on a finalized section is an error. After writing,
the file is read back and checked to hold the date (no TBD left).

Options:
  --date YYYY-MM-DD     release date (default: today, UTC; or the existing date on a re-run)
  --repository O/R      GitHub repository of the release link (default: $GITHUB_REPOSITORY,
                        else the one the file's release links name; only --repository is
                        checked against an already finalized link)
${COMMON_HELP}`,
  options: { ...common, date: { type: 'string' }, repository: { type: 'string' } },
  positionals: [1, 1],
  async run(args, ctx) {
    const version = args.positionals[0] as string;
    const date = stringOption(args, 'date');
    if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      throw new UsageError(`--date takes YYYY-MM-DD, not "${date}"`);
    }
    const repository = stringOption(args, 'repository');
    // $GITHUB_REPOSITORY only fills in new links; an explicit --repository must match an existing one.
    const defaultRepository = ctx.env.GITHUB_REPOSITORY || undefined;
    const tagPrefix = stringOption(args, 'tag-prefix');
    const result = await usage(() =>
      finalizeFile(filePath(args, ctx), version, { date, repository, defaultRepository, tagPrefix }),
    );
    return report(ctx, args, 'finalized', version, result);
  },
};

const unfreezeCommand = (path: readonly string[], summary: string): Command => ({
  path,
  summary,
  usage: `${path.join(' ')} <version> [--file CHANGELOG.md] [--tag-prefix P] [--json]`,
  help: `Puts the entries of "## [X.Y.Z] - TBD" back into Unreleased and removes the frozen section
(for an abandoned release). Nothing frozen for the version: nothing changes. A finalized
(dated) release is never unfrozen.

Options:
${COMMON_HELP}`,
  options: { ...common },
  positionals: [1, 1],
  async run(args, ctx) {
    const version = args.positionals[0] as string;
    const tagPrefix = stringOption(args, 'tag-prefix');
    const result = await usage(() => unfreezeFile(filePath(args, ctx), version, { tagPrefix }));
    const file = displayPath(args);
    if (args.values.json) {
      writeJson(ctx, { file, version, operation: 'unfrozen', changed: result.changed });
    } else {
      ctx.stdout(
        result.changed
          ? `unfrozen ${version} in ${file}: its entries are back under Unreleased\n`
          : `${file}: ${version} is not frozen; nothing to change\n`,
      );
    }
    return ExitCode.ok;
  },
});

const notes: Command = {
  path: ['changelog', 'notes'],
  summary: 'print the release notes of a version: its section without the heading',
  usage:
    'changelog notes <version|Unreleased> [--file CHANGELOG.md] [--max-length N] [--url URL] [--tag-prefix P] [--json]',
  help: `What becomes the GitHub Release body: trimmed, with the link definitions it uses appended,
and cut at a line with a notice when longer than GitHub's 125,000-character limit.

Options:
  --max-length N        cut above N characters (default 125000)
  --url URL             where the full notes are, linked from the truncation notice
${COMMON_HELP}`,
  options: { ...common, 'max-length': { type: 'string' }, url: { type: 'string' } },
  positionals: [1, 1],
  async run(args, ctx) {
    const version = args.positionals[0] as string;
    const raw = stringOption(args, 'max-length');
    const maxLength = raw === undefined ? undefined : Number(raw);
    if (maxLength !== undefined && !(Number.isInteger(maxLength) && maxLength > 0)) {
      throw new UsageError(`--max-length takes a positive whole number, not "${raw}"`);
    }
    const n = await usage(() =>
      notesFromFile(filePath(args, ctx), version, {
        tagPrefix: stringOption(args, 'tag-prefix'),
        maxLength,
        fullNotesUrl: stringOption(args, 'url'),
      }),
    );
    if (args.values.json) writeJson(ctx, { file: displayPath(args), ...n });
    else ctx.stdout(n.body.endsWith('\n') || n.body === '' ? n.body : `${n.body}\n`);
    return ExitCode.ok;
  },
};

function renderReport(file: string, r: ValidationReport): string {
  const lines = r.issues.map((i) => `${file}:${i.line}:${i.column}: ${i.severity}: ${i.message} [${i.code}]`);
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  lines.push(
    `${r.ok ? 'ok' : 'failed'}: ${plural(r.releases.length, 'release')}, ${plural(r.errors, 'error')}, ${plural(r.warnings, 'warning')}`,
  );
  return `${lines.join('\n')}\n`;
}

const validate: Command = {
  path: ['changelog', 'validate'],
  summary: 'check the CHANGELOG structure; with a version, also that it is finalized (or --expect frozen)',
  usage:
    'changelog validate [version] [--file CHANGELOG.md] [--expect finalized|frozen] [--tag-prefix P] [--json]',
  help: `Errors (exit 1): duplicate or out-of-order versions, impossible dates, a TBD left below a
released version, an unclosed code fence; with a version: the version missing, or not finalized
(the check after finalize, so a TBD never ships) or not frozen with --expect frozen.
Warnings (exit 0): unknown subsection names, future dates, dates out of order, odd level-2
headings, no Unreleased section, releases without entries.

Options:
  --expect STATE        what the version must be: finalized (default) or frozen
${COMMON_HELP}`,
  options: { ...common, expect: { type: 'string' } },
  positionals: [0, 1],
  async run(args, ctx) {
    const version = args.positionals[0];
    const expect = stringOption(args, 'expect');
    if (expect !== undefined && expect !== 'finalized' && expect !== 'frozen') {
      throw new UsageError(`--expect takes finalized or frozen, not "${expect}"`);
    }
    if (expect !== undefined && version === undefined) throw new UsageError('--expect needs a version');
    const r = await usage(() =>
      validateFile(filePath(args, ctx), { version, expect, tagPrefix: stringOption(args, 'tag-prefix') }),
    );
    if (args.values.json) writeJson(ctx, { file: displayPath(args), ...r });
    else (r.ok ? ctx.stdout : ctx.stderr)(renderReport(displayPath(args), r));
    return r.ok ? ExitCode.ok : ExitCode.failed;
  },
};

export const changelogCommands: readonly Command[] = [
  freeze,
  finalize,
  notes,
  validate,
  unfreezeCommand(['changelog', 'unfreeze'], 'undo a freeze: put the frozen entries back into Unreleased'),
  unfreezeCommand(['changelog', 'reset'], 'the same as changelog unfreeze'),
];
