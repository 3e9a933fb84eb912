import { isTransient } from '@relkit/release-core';

/**
 * The one error class of relkit-vscode. `code` is stable and decides which state node the
 * Releases view shows; `message` says what to do.
 */
export type ExtensionErrorCode =
  | 'NO_WORKSPACE'
  | 'NO_CONFIG'
  | 'INVALID_CONFIG'
  | 'SIGN_IN_REQUIRED'
  | 'UNTRUSTED_WORKSPACE'
  | 'CONNECT_UNAVAILABLE'
  | 'CANCELLED';

export class ExtensionError extends Error {
  override readonly name = 'ExtensionError';
  readonly code: ExtensionErrorCode;
  constructor(code: ExtensionErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** What kind of trouble an error from the engine or its adapters is, for the view's state nodes. */
export type ErrorClass = 'no-workspace' | 'no-config' | 'invalid-config' | 'sign-in' | 'offline' | 'error';

export function errorCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const cause = (e as { cause?: unknown }).cause;
    if (cause !== undefined && cause !== e) return errorCode(cause);
  }
  return undefined;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function classifyError(e: unknown): ErrorClass {
  const code = errorCode(e);
  if (code === 'NO_WORKSPACE') return 'no-workspace';
  if (code === 'NO_CONFIG') return 'no-config';
  if (code === 'INVALID_CONFIG') return 'invalid-config';
  if (code === 'SIGN_IN_REQUIRED' || code === 'UNAUTHORIZED') return 'sign-in';
  // Could not look, worth retrying: core's one rule (the adapter's own `transient`, else the code).
  if (isTransient(e)) return 'offline';
  return 'error';
}
