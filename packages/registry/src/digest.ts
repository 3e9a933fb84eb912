import type { createHash as CreateHash } from 'node:crypto';
import { RegistryError } from './errors.js';

// node:crypto loads on first use, not at import (~5 ms of CPU per process): a CLI run loads it
// while its first requests are on the way (preloadDigests via the transport), so nobody waits
// for it. Not `import … from 'node:crypto'`: its ESM facade loads WebCrypto too.
let createHash: typeof CreateHash | undefined;

/** Loads the hash code now, e.g. while waiting for an answer whose bytes will be hashed. */
export function preloadDigests(): void {
  createHash ??= process.getBuiltinModule('node:crypto').createHash;
}

const SHA256_RE = /^sha256:[a-f0-9]{64}$/;

/** The content digest of bytes, as registries name it. */
export function digestOf(bytes: Uint8Array): string {
  createHash ??= process.getBuiltinModule('node:crypto').createHash;
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Refuses anything but a well-formed lowercase sha256 digest (the only algorithm relkit trusts). */
export function assertDigest(value: string): string {
  if (!SHA256_RE.test(value)) {
    throw new RegistryError(
      'INVALID_REFERENCE',
      `"${value}" is not a sha256 digest (sha256:<64 lowercase hex>)`,
    );
  }
  return value;
}
