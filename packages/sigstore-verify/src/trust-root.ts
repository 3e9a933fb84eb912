import { readFile } from 'node:fs/promises';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { SigstoreVerifyError } from './errors.js';
import publicGoodJson from './trusted-roots/public-good.json' with { type: 'json' };

/** A parsed, validated trusted root and where it came from (shown in results and errors). */
export interface TrustRoot {
  /** e.g. 'public-good (pinned)', 'file ./trusted_root.json', 'tuf https://tuf-repo-cdn.sigstore.dev'. */
  readonly source: string;
  readonly root: TrustedRoot;
}

const MEDIA_TYPE_PREFIX = 'application/vnd.dev.sigstore.trustedroot';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks the validity window of one trust-root entry. sigstore-js treats a missing `start` as
 * "since the beginning of time", which lets a malformed root widen trust; the spec makes it
 * required, so we reject it (conformance case trust-root-tlog-missing-validity-start_fail).
 */
function checkValidFor(validFor: unknown, where: string): void {
  if (!isObject(validFor)) throw new Error(`${where}: validFor is missing`);
  const { start, end } = validFor;
  if (typeof start !== 'string' || Number.isNaN(Date.parse(start)))
    throw new Error(`${where}: validFor.start is missing or not an RFC 3339 time`);
  if (end !== undefined && end !== null) {
    if (typeof end !== 'string' || Number.isNaN(Date.parse(end)))
      throw new Error(`${where}: validFor.end is not an RFC 3339 time`);
    if (Date.parse(end) < Date.parse(start))
      throw new Error(`${where}: validFor.end is before validFor.start`);
  }
}

function checkEntries(json: Json, field: string, key: 'publicKey' | 'self'): number {
  const list = json[field];
  if (list === undefined) return 0;
  if (!Array.isArray(list)) throw new Error(`${field} must be a list`);
  list.forEach((entry: unknown, i) => {
    const where = `${field}[${i}]`;
    if (!isObject(entry)) throw new Error(`${where} must be an object`);
    if (key === 'publicKey') {
      if (!isObject(entry.publicKey)) throw new Error(`${where}.publicKey is missing`);
      checkValidFor(entry.publicKey.validFor, `${where}.publicKey`);
    } else {
      checkValidFor(entry.validFor, where);
    }
  });
  return list.length;
}

/**
 * Parses a `trusted_root.json` document (untrusted input) and validates what sigstore-js does
 * not: media type and the validity window of every log, CA and TSA.
 */
export function parseTrustRoot(json: unknown, source: string): TrustRoot {
  try {
    if (!isObject(json)) throw new Error('not a JSON object');
    if (typeof json.mediaType !== 'string' || !json.mediaType.startsWith(MEDIA_TYPE_PREFIX))
      throw new Error(`mediaType must start with ${MEDIA_TYPE_PREFIX}`);
    const n =
      checkEntries(json, 'tlogs', 'publicKey') +
      checkEntries(json, 'ctlogs', 'publicKey') +
      checkEntries(json, 'certificateAuthorities', 'self') +
      checkEntries(json, 'timestampAuthorities', 'self');
    if (n === 0) throw new Error('it names no transparency log, CT log, CA or TSA');
    return { source, root: TrustedRoot.fromJSON(json) };
  } catch (e) {
    if (e instanceof SigstoreVerifyError) throw e;
    throw new SigstoreVerifyError(
      'TRUST_ROOT_INVALID',
      `trusted root from ${source} is invalid: ${(e as Error).message}`,
      { cause: e },
    );
  }
}

let publicGood: TrustRoot | undefined;

/**
 * The Sigstore public-good trusted root pinned in this package (a copy of the one embedded in
 * @sigstore/tuf's seeds): verification works fully offline with it.
 */
export function publicGoodTrustRoot(): TrustRoot {
  publicGood ??= parseTrustRoot(publicGoodJson, 'public-good (pinned)');
  return publicGood;
}

/** Reads a `trusted_root.json` file, e.g. GitHub's trust root from `gh attestation trusted-root`. */
export async function loadTrustRootFile(path: string): Promise<TrustRoot> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new SigstoreVerifyError(
      'TRUST_ROOT_INVALID',
      `cannot read trusted root ${path}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SigstoreVerifyError('TRUST_ROOT_INVALID', `trusted root ${path} is not JSON`, { cause: e });
  }
  return parseTrustRoot(json, `file ${path}`);
}

export interface TrustRootRefreshOptions {
  /** Where TUF metadata is cached. Required: the default under $HOME breaks on read-only homes. */
  readonly cachePath: string;
  /** TUF mirror; the Sigstore public-good mirror when omitted. */
  readonly mirrorURL?: string;
  /** The initial root.json for a mirror other than public-good (e.g. GitHub's). */
  readonly rootPath?: string;
  /** Use cached metadata while it is unexpired instead of always asking the mirror. */
  readonly forceCache?: boolean;
  readonly timeoutMs?: number;
}

/**
 * Optional: fetches the current trusted root through TUF (@sigstore/tuf, loaded only here).
 * Never needed for verification; callers fall back to the pinned root when it fails.
 */
export async function refreshTrustRoot(options: TrustRootRefreshOptions): Promise<TrustRoot> {
  const mirror = options.mirrorURL ?? 'https://tuf-repo-cdn.sigstore.dev';
  try {
    const tuf = await import('@sigstore/tuf');
    const root = await tuf.getTrustedRoot({
      cachePath: options.cachePath,
      mirrorURL: mirror,
      ...(options.rootPath ? { rootPath: options.rootPath } : {}),
      forceCache: options.forceCache ?? true,
      timeout: options.timeoutMs ?? 5000,
      retry: 1,
    });
    return parseTrustRoot(TrustedRoot.toJSON(root), `tuf ${mirror}`);
  } catch (e) {
    if (e instanceof SigstoreVerifyError) throw e;
    throw new SigstoreVerifyError(
      'TRUST_ROOT_REFRESH_FAILED',
      `could not refresh the trusted root from ${mirror} (cache ${options.cachePath}): ${(e as Error).message}; the pinned root still works offline`,
      { cause: e },
    );
  }
}
