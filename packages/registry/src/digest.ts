import { RegistryError } from './errors.js';

// Not `import … from 'node:crypto'`: its ESM facade loads WebCrypto too (~4 ms per process start).
const { createHash } = process.getBuiltinModule('node:crypto');

const SHA256_RE = /^sha256:[a-f0-9]{64}$/;

/** The content digest of bytes, as registries name it. */
export function digestOf(bytes: Uint8Array): string {
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
