import type { createHash as CreateHash } from 'node:crypto';
import { RegistryError } from './errors.js';
import { sha256Hex } from './sha256.js';

// node:crypto loads on first use, not at import (~4.5 ms of CPU per process). Not `import … from
// 'node:crypto'`: its ESM facade loads WebCrypto too. Small inputs (manifests) are hashed in
// JavaScript (sha256.ts) unless node:crypto is loaded already, so a retag never loads it.
let createHash: typeof CreateHash | undefined;

/** Up to this size, hashing in JavaScript costs less than loading node:crypto (~2 ms at 4 KiB). */
const SMALL = 4096;

/** Loads the hash code now, e.g. while waiting for an answer whose large bytes will be hashed. */
export function preloadDigests(): void {
  createHash ??= process.getBuiltinModule('node:crypto').createHash;
}

const SHA256_RE = /^sha256:[a-f0-9]{64}$/;

/** The content digest of bytes, as registries name it. */
export function digestOf(bytes: Uint8Array): string {
  if (!createHash && bytes.length <= SMALL) return `sha256:${sha256Hex(bytes)}`;
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
