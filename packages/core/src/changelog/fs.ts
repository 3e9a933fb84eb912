import { randomBytes } from 'node:crypto';
import { open, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ReleaseError } from '../errors.js';
import { finalize, type FinalizeOptions } from './finalize.js';
import { freeze, unfreeze, type FreezeOptions, type UnfreezeOptions } from './freeze.js';
import { releaseNotes, type NotesOptions, type ReleaseNotes } from './notes.js';
import { parseChangelog } from './parse.js';
import { validate, type ValidateOptions, type ValidationReport } from './validate.js';

/*
 * The file side of the CHANGELOG operations: read, apply a pure operation, write atomically
 * (temp file in the same directory + rename, so a reader never sees half a file), keep the
 * file's mode, and read back what was written. Local files only.
 */

export interface ChangelogFileResult {
  /** The path written (symlinks resolved). */
  readonly path: string;
  /** False when the operation was a no-op and nothing was written. */
  readonly changed: boolean;
  readonly text: string;
}

/** Re-throws a positioned ReleaseError as `FILE:LINE:COLUMN: message`, the form editors link. */
function located(path: string, e: unknown): unknown {
  if (e instanceof ReleaseError && typeof e.details?.line === 'number') {
    const { line, column } = e.details as { line: number; column: number };
    const message = e.message.replace(/^line \d+, column \d+: /, '');
    return new ReleaseError(e.code, `${path}:${line}:${column}: ${message}`, {
      cause: e,
      details: { ...e.details, file: path },
    });
  }
  return e;
}

// fatal: readFile(path, 'utf8') turns bytes that are not UTF-8 (a Latin-1 "é") into U+FFFD, and
// the edited text written back would lose them everywhere in the file. ignoreBOM keeps a BOM in
// the text, as readFile does, so it is written back too.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Line and column (1-based) of the first byte that is not UTF-8, for the refusal. */
function firstInvalidByte(bytes: Uint8Array): { line: number; column: number } {
  let lo = 0;
  let hi = bytes.length;
  // The longest valid prefix: decoding is monotone in the cut (up to a split character).
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  // stream: the start of a sequence the next byte breaks is left out, so the column is its own.
  const before = new TextDecoder().decode(bytes.subarray(0, lo), { stream: true }).split(/\r\n|\r|\n/);
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}

export async function readChangelogFile(path: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ReleaseError(
      'CHANGELOG_STATE',
      code === 'ENOENT'
        ? `${path}: no such file; pass the CHANGELOG with --file PATH`
        : `${path}: cannot read the CHANGELOG (${code ?? (e as Error).message})`,
      { cause: e, details: { file: path } },
    );
  }
  try {
    return utf8.decode(bytes);
  } catch (e) {
    const { line, column } = firstInvalidByte(bytes);
    throw new ReleaseError(
      'CHANGELOG_PARSE',
      `${path}:${line}:${column}: the file is not valid UTF-8 (binary, or saved as Latin-1 or UTF-16?); save it as UTF-8 text`,
      { cause: e, details: { file: path, line, column } },
    );
  }
}

/**
 * Writes `text` to `path` atomically: a temp file beside it with the same mode (and owner, where
 * allowed), flushed to disk, then renamed over the original. A symlink is followed, so the link
 * stays a link.
 */
export async function writeFileAtomic(path: string, text: string): Promise<string> {
  const target = await realpath(path).catch(() => path);
  const st = await stat(target).catch(() => undefined);
  const mode = st ? st.mode & 0o7777 : 0o644;
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  try {
    try {
      await fh.writeFile(text, 'utf8');
      await fh.chmod(mode); // the umask may have narrowed the mode given to open()
      if (st) await fh.chown(st.uid, st.gid).catch(() => undefined);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  return target;
}

/**
 * Applies a pure operation to a file: writes only when the text changes, then reads the file back
 * and checks it holds exactly the new text (a "successful" write that changed nothing is how the
 * origin shipped a TBD date, issue #455).
 */
export async function editChangelogFile(
  path: string,
  operation: (text: string) => string,
): Promise<ChangelogFileResult> {
  const before = await readChangelogFile(path);
  let after: string;
  try {
    after = operation(before);
  } catch (e) {
    throw located(path, e);
  }
  if (after === before) return { path, changed: false, text: before };
  const written = await writeFileAtomic(path, after);
  const reread = await readChangelogFile(written);
  if (reread !== after) {
    throw new ReleaseError(
      'CHANGELOG_STATE',
      `${path}: after writing, the file does not hold the new text (another process changed it?); run the command again`,
      { details: { file: path } },
    );
  }
  return { path: written, changed: true, text: after };
}

export function freezeFile(
  path: string,
  version: string,
  options?: FreezeOptions,
): Promise<ChangelogFileResult> {
  return editChangelogFile(path, (t) => freeze(t, version, options));
}

export function unfreezeFile(
  path: string,
  version: string,
  options?: UnfreezeOptions,
): Promise<ChangelogFileResult> {
  return editChangelogFile(path, (t) => unfreeze(t, version, options));
}

/** Finalizes the file, then checks on the re-read text that the version is dated (no TBD left). */
export async function finalizeFile(
  path: string,
  version: string,
  options?: FinalizeOptions,
): Promise<ChangelogFileResult> {
  const result = await editChangelogFile(path, (t) => finalize(t, version, options));
  const report = validate(result.text, { version, expect: 'finalized', tagPrefix: options?.tagPrefix });
  const problem = report.issues.find((i) => i.code === 'not-finalized' || i.code === 'missing-version');
  if (problem) {
    throw new ReleaseError(
      'CHANGELOG_STATE',
      `${path}:${problem.line}:${problem.column}: ${problem.message}`,
      {
        details: { file: path, line: problem.line, column: problem.column },
      },
    );
  }
  return result;
}

export async function notesFromFile(
  path: string,
  version: string,
  options?: NotesOptions,
): Promise<ReleaseNotes> {
  const text = await readChangelogFile(path);
  try {
    return releaseNotes(text, version, options);
  } catch (e) {
    throw located(path, e);
  }
}

export async function validateFile(path: string, options?: ValidateOptions): Promise<ValidationReport> {
  const text = await readChangelogFile(path);
  try {
    return validate(text, options);
  } catch (e) {
    throw located(path, e);
  }
}

/** Parses a file, for callers that want the structure (e.g. the editor extension). */
export async function parseChangelogFile(path: string) {
  const text = await readChangelogFile(path);
  try {
    return parseChangelog(text);
  } catch (e) {
    throw located(path, e);
  }
}
