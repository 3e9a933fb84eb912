import { repositoryScope } from './auth.js';
import { getBlob } from './blobs.js';
import { parseJson, type ClientContext, type RequestOptions } from './context.js';
import { digestOf } from './digest.js';
import { RegistryError } from './errors.js';
import { discard, readBodyLimited } from './limits.js';
import {
  MANIFEST_ACCEPT,
  MediaType,
  bareMediaType,
  parseManifest,
  type Descriptor,
  type ParsedManifest,
  type Platform,
} from './manifest.js';
import {
  formatReference,
  referenceIdentifier,
  toReference,
  type ImageReference,
  type ReferenceLike,
} from './reference.js';
import { describeRequest, errorFromResponse, type RegistryRequest } from './transport.js';

/*
 * Manifests: HEAD, GET (bytes kept as sent, digest checked, cached by digest), PUT (bytes
 * unchanged), DELETE by digest, and what `image inspect` shows.
 */

/** What HEAD says about a manifest: enough to compare digests without downloading. */
export interface ManifestHead {
  readonly reference: ImageReference;
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
}

/** A manifest as the registry stores it: the exact bytes (digest verified) and their parse. */
export interface Manifest extends ManifestHead {
  readonly bytes: Uint8Array;
  readonly manifest: ParsedManifest;
}

/** One platform of an image: the child manifest of an index, or the image itself. */
export interface PlatformImage {
  readonly platform: Platform | undefined;
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  /** The descriptor's annotations (buildx marks attestation manifests here). */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** What `image inspect` shows: the digest that tags point to, and what it contains. */
export interface ImageDetails {
  readonly reference: ImageReference;
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly kind: 'index' | 'image';
  readonly platforms: readonly PlatformImage[];
  readonly annotations: Readonly<Record<string, string>>;
  readonly artifactType: string | undefined;
  readonly subject: Descriptor | undefined;
}

/**
 * HEAD a manifest. Undefined means the registry answered "not there"; a failure to look
 * (rate limit, outage, auth) throws, so the two can never be confused.
 */
export async function headManifest(
  ctx: ClientContext,
  ref: ReferenceLike,
  options: RequestOptions & { push?: boolean } = {},
): Promise<ManifestHead | undefined> {
  const r = toReference(ref);
  const id = referenceIdentifier(r);
  const req = manifestRequest('HEAD', r, id, options, options.push ? 'pull,push' : 'pull');
  const head = await ctx.transport.send(req, async (res, url) => {
    if (res.status === 404) {
      await discard(res);
      return undefined;
    }
    if (res.status !== 200) throw await errorFromResponse(res, req, describeRequest(req, url));
    await discard(res);
    const digest = res.headers.get('docker-content-digest');
    const size = Number(res.headers.get('content-length') ?? NaN);
    return {
      digest: digest && /^sha256:[a-f0-9]{64}$/.test(digest) ? digest : undefined,
      mediaType: bareMediaType(res.headers.get('content-type')),
      size: Number.isFinite(size) ? size : -1,
    };
  });
  if (!head) return undefined;
  if (!head.digest) {
    // Some registries leave the digest out of HEAD: GET, which hashes the bytes (outside the
    // HEAD's concurrency slot, so a limit of 1 cannot deadlock).
    const m = await getManifest(ctx, r, options);
    return { reference: r, digest: m.digest, mediaType: m.mediaType, size: m.size };
  }
  if (r.digest && head.digest !== r.digest) {
    throw new RegistryError(
      'DIGEST_MISMATCH',
      `${formatReference(r)}: the registry answered with ${head.digest} for a different digest; refusing to trust it`,
    );
  }
  return { reference: r, digest: head.digest, mediaType: head.mediaType, size: head.size };
}

/** The digest a tag points to now (HEAD). Throws MANIFEST_UNKNOWN when the tag does not exist. */
export async function resolveDigest(
  ctx: ClientContext,
  ref: ReferenceLike,
  options: RequestOptions = {},
): Promise<string> {
  const r = toReference(ref);
  const head = await headManifest(ctx, r, options);
  if (!head) throw notFound(r);
  return head.digest;
}

/**
 * GET a manifest with all four media types accepted. The bytes are kept as sent and checked:
 * sha256(bytes) must equal Docker-Content-Digest and the digest asked for.
 */
export async function getManifest(
  ctx: ClientContext,
  ref: ReferenceLike,
  options: RequestOptions & { maxBytes?: number; push?: boolean } = {},
): Promise<Manifest> {
  const m = await findManifest(ctx, ref, options);
  if (!m) throw notFound(toReference(ref));
  return m;
}

/** Like getManifest, but undefined when the registry says the manifest is not there. */
export async function findManifest(
  ctx: ClientContext,
  ref: ReferenceLike,
  options: RequestOptions & { maxBytes?: number; push?: boolean } = {},
): Promise<Manifest | undefined> {
  const r = toReference(ref);
  if (r.digest) {
    const hit = ctx.manifests.get(r, r.digest);
    if (hit) return toManifest(r, r.digest, hit.bytes, hit.mediaType);
  }
  const id = referenceIdentifier(r);
  const req = manifestRequest('GET', r, id, options, options.push ? 'pull,push' : 'pull');
  const got = await ctx.transport.send(req, async (res, url) => {
    if (res.status === 404) {
      await discard(res);
      return undefined;
    }
    if (res.status !== 200) throw await errorFromResponse(res, req, describeRequest(req, url));
    const bytes = await readBodyLimited(
      res,
      options.maxBytes ?? ctx.maxManifestBytes,
      `the manifest ${formatReference(r)}`,
    );
    return {
      bytes,
      contentType: res.headers.get('content-type'),
      header: res.headers.get('docker-content-digest'),
    };
  });
  if (!got) return undefined;
  const digest = digestOf(got.bytes);
  if (got.header && got.header !== digest) {
    throw new RegistryError(
      'DIGEST_MISMATCH',
      `${formatReference(r)}: the registry says the manifest is ${got.header} but its bytes hash to ${digest}; refusing to use it (corrupt storage or a tampering proxy)`,
    );
  }
  if (r.digest && r.digest !== digest) {
    throw new RegistryError(
      'DIGEST_MISMATCH',
      `${formatReference(r)}: asked for ${r.digest} but the bytes hash to ${digest}; refusing to use them`,
    );
  }
  const m = toManifest(r, digest, got.bytes, bareMediaType(got.contentType));
  ctx.manifests.remember(r, digest, got.bytes, m.mediaType);
  return m;
}

/**
 * PUT manifest bytes unchanged under a tag or digest, with their own media type as
 * Content-Type, and check the digest the registry reports. Returns the digest.
 */
export async function putManifest(
  ctx: ClientContext,
  ref: ReferenceLike,
  content: { readonly bytes: Uint8Array; readonly mediaType: string },
  /** onPipelining: a request sent from it goes right behind the PUT (retag's read-back). */
  options: RequestOptions & { readonly onPipelining?: (() => void) | undefined } = {},
): Promise<string> {
  const r = toReference(ref);
  const digest = digestOf(content.bytes);
  if (r.digest && r.digest !== digest) {
    throw new RegistryError(
      'DIGEST_MISMATCH',
      `refusing to PUT bytes hashing to ${digest} under ${r.digest}`,
    );
  }
  const id = referenceIdentifier(r);
  const req: RegistryRequest = {
    ...manifestRequest('PUT', r, id, options, 'pull,push'),
    headers: { 'content-type': content.mediaType },
    body: content.bytes,
  };
  const stored = await ctx.transport.send(req, async (res, url) => {
    if (res.status !== 201 && res.status !== 200 && res.status !== 202) {
      throw await errorFromResponse(res, req, describeRequest(req, url));
    }
    await discard(res);
    return res.headers.get('docker-content-digest');
  });
  if (stored && stored !== digest) {
    throw new RegistryError(
      'DIGEST_MISMATCH',
      `${formatReference(r)}: the registry stored ${stored} instead of ${digest}; it changed the manifest`,
    );
  }
  ctx.manifests.remember(r, digest, content.bytes, content.mediaType);
  return digest;
}

/**
 * ghcr.io (and registries with deletes disabled) answer an OCI manifest DELETE with 405
 * UNSUPPORTED: the error keeps its code and says the way out.
 */
function unsupportedDelete(e: RegistryError, registry: string): RegistryError {
  const ghcr = registry.toLowerCase() === 'ghcr.io';
  return new RegistryError(
    'UNSUPPORTED',
    `${e.message}; ${ghcr ? 'ghcr.io deletes images only through the GitHub Packages API' : `${registry} refuses manifest deletes`}: relkit cleans RCs through the GitHub Packages API for ghcr.io images by itself (release.config.json "cleanup": { "via": "auto" }), or set "cleanup": { "via": "packages-api" } for a GHCR behind another name`,
    {
      ...(e.status !== undefined ? { status: e.status } : {}),
      ...(e.registryCode !== undefined ? { registryCode: e.registryCode } : {}),
      cause: e,
    },
  );
}

/** Deletes a manifest by digest (release-candidate cleanup). False when it was not there. */
export async function deleteManifest(
  ctx: ClientContext,
  ref: ReferenceLike,
  options: RequestOptions = {},
): Promise<boolean> {
  const r = toReference(ref);
  if (!r.digest) {
    throw new RegistryError(
      'INVALID_REFERENCE',
      `${formatReference(r)}: deleting needs a digest reference (repo@sha256:…); deleting by tag would remove every tag of that image`,
    );
  }
  const req = manifestRequest('DELETE', r, r.digest, options, 'delete');
  return ctx.transport.send(req, async (res, url) => {
    if (res.status === 404) {
      await discard(res);
      return false;
    }
    if (res.status !== 202 && res.status !== 200 && res.status !== 204) {
      const e = await errorFromResponse(res, req, describeRequest(req, url));
      throw e.code === 'UNSUPPORTED' ? unsupportedDelete(e, r.registry) : e;
    }
    await discard(res);
    ctx.manifests.forget(r, r.digest!);
    return true;
  });
}

/**
 * Details of a manifest already fetched: for an index its children's platforms; for a single
 * image the platform from its config blob (one small, size-limited read).
 */
export async function describeManifest(
  ctx: ClientContext,
  m: Manifest,
  options: RequestOptions = {},
): Promise<ImageDetails> {
  const pm = m.manifest;
  let platforms: PlatformImage[];
  if (pm.kind === 'index') {
    platforms = pm.manifests.map((d) => ({
      platform: d.platform,
      digest: d.digest,
      mediaType: d.mediaType,
      size: d.size,
      ...(d.annotations ? { annotations: d.annotations } : {}),
    }));
  } else {
    platforms = [
      {
        platform: await configPlatform(ctx, m, options),
        digest: m.digest,
        mediaType: m.mediaType,
        size: m.size,
      },
    ];
  }
  return {
    reference: m.reference,
    digest: m.digest,
    mediaType: m.mediaType,
    size: m.size,
    kind: pm.kind,
    platforms,
    annotations: pm.annotations,
    artifactType: pm.artifactType,
    subject: pm.subject,
  };
}

/** The platform of a single-platform image lives in its config blob (small; size-limited). */
async function configPlatform(
  ctx: ClientContext,
  m: Manifest,
  options: RequestOptions,
): Promise<Platform | undefined> {
  if (m.manifest.kind !== 'image') return undefined;
  const cfg = m.manifest.config;
  if (cfg.mediaType !== MediaType.ociConfig && cfg.mediaType !== MediaType.dockerConfig) return undefined;
  const bytes = await getBlob(ctx, m.reference, cfg.digest, {
    ...options,
    maxBytes: Math.min(cfg.size, 1024 * 1024),
  });
  const c = parseJson(bytes, 'image config') as { os?: unknown; architecture?: unknown; variant?: unknown };
  if (typeof c.os !== 'string' || typeof c.architecture !== 'string') return undefined;
  return {
    os: c.os,
    architecture: c.architecture,
    ...(typeof c.variant === 'string' ? { variant: c.variant } : {}),
  };
}

function manifestRequest(
  method: 'GET' | 'HEAD' | 'PUT' | 'DELETE',
  r: ImageReference,
  id: string,
  options: RequestOptions & { readonly onPipelining?: (() => void) | undefined },
  actions: 'pull' | 'pull,push' | 'delete',
): RegistryRequest {
  const headers: Record<string, string> =
    method === 'GET' || method === 'HEAD' ? { accept: MANIFEST_ACCEPT } : {};
  return {
    method,
    registry: r.registry,
    path: `/v2/${r.repository}/manifests/${id}`,
    headers,
    scope: repositoryScope(r.repository, actions),
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    // Small, idempotent: may share a connection with the others of a retag (pipelining).
    pipeline: method !== 'DELETE',
    onPipelining: options.onPipelining,
  };
}

function toManifest(r: ImageReference, digest: string, bytes: Uint8Array, contentType: string): Manifest {
  const manifest = parseManifest(bytes, contentType);
  return { reference: r, digest, mediaType: manifest.mediaType, size: bytes.byteLength, bytes, manifest };
}

function notFound(r: ImageReference): RegistryError {
  return new RegistryError(
    'MANIFEST_UNKNOWN',
    `${formatReference(r)} not found: the registry has no manifest under ${referenceIdentifier(r)} in ${r.repository}`,
    { status: 404 },
  );
}
