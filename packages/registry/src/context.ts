import { RegistryError } from './errors.js';
import type { ImageReference } from './reference.js';
import type { Transport } from './transport.js';

/*
 * What every operation of the registry client shares: the transport (connections, tokens,
 * retries), the size limits, and the manifests already read. `RegistryClient` owns one context
 * and hands it to the operations in manifests.ts, blobs.ts, tags.ts and retag.ts.
 */

/** Every call takes these: a cancel signal and an optional per-attempt timeout. */
export interface RequestOptions {
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
}

export interface ClientContext {
  readonly transport: Transport;
  /** Largest manifest read (and largest referrers index). */
  readonly maxManifestBytes: number;
  /** Largest blob `getBlob` reads unless the call says otherwise. */
  readonly maxBlobBytes: number;
  readonly manifests: ManifestCache;
}

/**
 * Manifest bytes kept by repository and digest, oldest dropped first past `limit` bytes.
 * Content-addressed, so an entry is never stale; a deleted manifest is forgotten.
 */
export class ManifestCache {
  private readonly entries = new Map<string, { bytes: Uint8Array; mediaType: string }>();
  private size = 0;

  constructor(private readonly limit: number) {}

  get(r: ImageReference, digest: string): { bytes: Uint8Array; mediaType: string } | undefined {
    return this.entries.get(cacheKey(r, digest));
  }

  has(r: ImageReference, digest: string): boolean {
    return this.entries.has(cacheKey(r, digest));
  }

  remember(r: ImageReference, digest: string, bytes: Uint8Array, mediaType: string): void {
    if (bytes.byteLength > this.limit / 4) return;
    const key = cacheKey(r, digest);
    if (this.entries.has(key)) return;
    this.entries.set(key, { bytes, mediaType });
    this.size += bytes.byteLength;
    for (const [k, v] of this.entries) {
      if (this.size <= this.limit) break;
      this.entries.delete(k);
      this.size -= v.bytes.byteLength;
    }
  }

  forget(r: ImageReference, digest: string): void {
    const key = cacheKey(r, digest);
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.size -= hit.bytes.byteLength;
    }
  }
}

function cacheKey(r: ImageReference, digest: string): string {
  return `${r.registry}/${r.repository}@${digest}`;
}

/** A JSON object the registry sent (a tag list, an image config); anything else is PROTOCOL. */
export function parseJson(bytes: Uint8Array, what: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new RegistryError('PROTOCOL', `the registry sent a ${what} that is not a JSON object`);
}
