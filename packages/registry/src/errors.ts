/** Stable codes of registry failures; programs branch on these, people read the message. */
export type RegistryErrorCode =
  | 'INVALID_REFERENCE'
  | 'MANIFEST_UNKNOWN'
  | 'BLOB_UNKNOWN'
  | 'NAME_UNKNOWN'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'DIGEST_MISMATCH'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'TOO_LARGE'
  | 'UNSUPPORTED'
  | 'NETWORK'
  | 'PROTOCOL';

/** The one error class of @relkit/registry. Messages never contain credentials. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly code: RegistryErrorCode;
  readonly status: number | undefined;

  constructor(code: RegistryErrorCode, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
  }
}
