/** Stable codes of registry failures; programs branch on these, people read the message. */
export type RegistryErrorCode =
  // the reference or the caller's input is wrong
  | 'INVALID_REFERENCE'
  // "not there": the registry answered and said so
  | 'MANIFEST_UNKNOWN'
  | 'BLOB_UNKNOWN'
  | 'NAME_UNKNOWN'
  // the registry refused
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'REJECTED'
  | 'UNSUPPORTED'
  // the registry answered with content we must not trust
  | 'DIGEST_MISMATCH'
  | 'TOO_LARGE'
  | 'PROTOCOL'
  // "could not look": try again later
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'NETWORK'
  | 'TIMEOUT'
  // the caller gave up
  | 'ABORTED'
  // credentials could not be read (docker config, credential helper)
  | 'CREDENTIALS';

/** Codes meaning the registry looked and the thing is not there. */
export const NOT_FOUND_CODES: readonly RegistryErrorCode[] = [
  'MANIFEST_UNKNOWN',
  'BLOB_UNKNOWN',
  'NAME_UNKNOWN',
];

/** Codes meaning the client could not find out: the answer may differ on a later try. */
export const TRANSIENT_CODES: readonly RegistryErrorCode[] = [
  'RATE_LIMITED',
  'UNAVAILABLE',
  'NETWORK',
  'TIMEOUT',
];

/** The one error class of @relkit/registry. Messages never contain credentials. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly code: RegistryErrorCode;
  readonly status: number | undefined;
  /** The code the registry itself sent (e.g. TAG_INVALID, MANIFEST_INVALID), when it sent one. */
  readonly registryCode: string | undefined;
  /** How long the registry asked us to wait (429 / 503 with Retry-After), in ms. */
  readonly retryAfterMs: number | undefined;

  /** Could not look, and a later try may answer (core's ObservationError.transient). */
  get transient(): boolean {
    return TRANSIENT_CODES.includes(this.code);
  }

  constructor(
    code: RegistryErrorCode,
    message: string,
    options: { status?: number; cause?: unknown; registryCode?: string; retryAfterMs?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.registryCode = options.registryCode;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** True when the registry answered that the manifest, blob or repository does not exist. */
export function isNotFound(error: unknown): boolean {
  return error instanceof RegistryError && NOT_FOUND_CODES.includes(error.code);
}

/** True when the failure says nothing about the registry's content (rate limit, outage, network). */
export function isTransient(error: unknown): boolean {
  return error instanceof RegistryError && TRANSIENT_CODES.includes(error.code);
}
