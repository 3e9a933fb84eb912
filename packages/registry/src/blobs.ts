import { repositoryScope } from './auth.js';
import type { ClientContext, RequestOptions } from './context.js';
import { assertDigest, digestOf, preloadDigests } from './digest.js';
import { RegistryError } from './errors.js';
import { loadWhileWaiting } from './http.js';
import { discard, readBodyLimited } from './limits.js';
import type { Descriptor } from './manifest.js';
import { toReference, type ImageReference, type ReferenceLike } from './reference.js';
import { describeRequest, errorFromResponse, type RegistryRequest } from './transport.js';

/*
 * Blobs: HEAD, download (digest checked, size bounded), upload, cross-repository mount, and the
 * streamed transfer between repositories or registries that `copy` uses.
 */

export interface BlobInfo {
  readonly digest: string;
  readonly size: number;
}

/** HEAD a blob: its size, or undefined when the repository does not have it. */
export async function headBlob(
  ctx: ClientContext,
  repository: ReferenceLike,
  digest: string,
  options: RequestOptions & { push?: boolean } = {},
): Promise<BlobInfo | undefined> {
  const r = toReference(repository);
  assertDigest(digest);
  const req = blobRequest('HEAD', r, digest, options, options.push ? 'pull,push' : 'pull');
  return ctx.transport.send(req, async (res, url) => {
    await discard(res);
    if (res.status === 404) return undefined;
    if (res.status !== 200)
      throw await errorFromResponse(res, req, describeRequest(req, url), 'BLOB_UNKNOWN');
    return { digest, size: Number(res.headers.get('content-length') ?? -1) };
  });
}

/**
 * Downloads a blob into memory and checks its digest. At most `maxBytes` are read: the
 * declared length is checked first and the bytes are counted while streaming, so a hostile
 * registry cannot make the client read without end. Redirects to blob storage carry no
 * Authorization.
 */
export async function getBlob(
  ctx: ClientContext,
  repository: ReferenceLike,
  digest: string,
  options: RequestOptions & { maxBytes?: number } = {},
): Promise<Uint8Array> {
  const r = toReference(repository);
  assertDigest(digest);
  const max = options.maxBytes ?? ctx.maxBlobBytes;
  const req = blobRequest('GET', r, digest, options, 'pull');
  loadWhileWaiting(preloadDigests); // blobs are mostly larger than digestOf's JavaScript path takes
  const bytes = await ctx.transport.send(req, async (res, url) => {
    if (res.status !== 200)
      throw await errorFromResponse(res, req, describeRequest(req, url), 'BLOB_UNKNOWN');
    return readBodyLimited(res, max, `the blob ${r.registry}/${r.repository}@${digest}`);
  });
  const got = digestOf(bytes);
  if (got !== digest) {
    throw new RegistryError(
      'DIGEST_MISMATCH',
      `${r.registry}/${r.repository}@${digest}: the bytes received hash to ${got}; refusing to use them`,
    );
  }
  return bytes;
}

/** Uploads a blob (POST a session, PUT the bytes with ?digest=); skipped when present. */
export async function uploadBlob(
  ctx: ClientContext,
  repository: ReferenceLike,
  bytes: Uint8Array,
  options: RequestOptions = {},
): Promise<string> {
  const r = toReference(repository);
  const digest = digestOf(bytes);
  if (await headBlob(ctx, r, digest, { ...options, push: true })) return digest;
  const scope = repositoryScope(r.repository, 'pull,push');
  const location = await openUpload(ctx, r, options);
  location.searchParams.set('digest', digest);
  const put = {
    method: 'PUT' as const,
    registry: r.registry,
    path: location.href,
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
    scope,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  };
  await ctx.transport.send(put, async (res, url) => {
    if (res.status !== 201)
      throw await errorFromResponse(res, put, describeRequest(put, url), 'BLOB_UNKNOWN');
    await discard(res);
    const stored = res.headers.get('docker-content-digest');
    if (stored && stored !== digest) {
      throw new RegistryError(
        'DIGEST_MISMATCH',
        `${describeRequest(put, url)}: stored as ${stored}, expected ${digest}`,
      );
    }
  });
  return digest;
}

/** POST an upload session; returns its Location. */
async function openUpload(ctx: ClientContext, r: ImageReference, options: RequestOptions): Promise<URL> {
  const start: RegistryRequest = {
    method: 'POST',
    registry: r.registry,
    path: `/v2/${r.repository}/blobs/uploads/`,
    headers: { 'content-length': '0' },
    scope: repositoryScope(r.repository, 'pull,push'),
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  };
  return ctx.transport.send(start, async (res, url) => {
    if (res.status !== 202)
      throw await errorFromResponse(res, start, describeRequest(start, url), 'NAME_UNKNOWN');
    await discard(res);
    const loc = res.headers.get('location');
    if (!loc)
      throw new RegistryError('PROTOCOL', `${describeRequest(start, url)}: no Location for the upload`);
    return new URL(loc, url);
  });
}

/**
 * Streams a blob from one repository (or registry) to another without holding it in memory:
 * at most the descriptor's size is passed on, and the target registry checks the digest.
 */
export async function transferBlob(
  ctx: ClientContext,
  src: ImageReference,
  dst: ImageReference,
  blob: Descriptor,
  options: RequestOptions,
): Promise<void> {
  const location = await openUpload(ctx, dst, options);
  location.searchParams.set('digest', blob.digest);
  // The per-attempt timeout must cover the whole stream: allow for 1 MB/s at least.
  const o = { ...options, timeoutMs: options.timeoutMs ?? Math.max(30_000, Math.ceil(blob.size / 1000)) };
  const get = blobRequest('GET', src, blob.digest, o, 'pull');
  const what = `the blob ${src.registry}/${src.repository}@${blob.digest}`;
  // The handler hands the unread response out, so the source's slot is free while the
  // target's is taken: no nested slots, no deadlock when both are the same registry.
  const res = await ctx.transport.send(get, async (r, url) => {
    if (r.status !== 200) throw await errorFromResponse(r, get, describeRequest(get, url), 'BLOB_UNKNOWN');
    const declared = r.headers.get('content-length');
    if (declared !== null && Number(declared) !== blob.size) {
      await discard(r);
      throw new RegistryError('PROTOCOL', `${what} is ${declared} bytes, but the manifest says ${blob.size}`);
    }
    return r;
  });
  let seen = 0;
  const { Transform, pipeline } = process.getBuiltinModule('node:stream');
  const limited = new Transform({
    transform(chunk: Uint8Array, _encoding, done) {
      seen += chunk.byteLength;
      if (seen > blob.size) {
        done(
          new RegistryError('TOO_LARGE', `${what} sends more than the ${blob.size} bytes its manifest says`),
        );
        return;
      }
      done(null, chunk);
    },
  });
  // pipeline: a failure on either side (the source drops, the target refuses) ends both.
  pipeline(res.body, limited, () => undefined);
  const put: RegistryRequest = {
    method: 'PUT',
    registry: dst.registry,
    path: location.href,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
    body: limited,
    scope: repositoryScope(dst.repository, 'pull,push'),
    signal: o.signal,
    timeoutMs: o.timeoutMs,
  };
  await ctx.transport.send(put, async (r, url) => {
    if (r.status !== 201) throw await errorFromResponse(r, put, describeRequest(put, url), 'BLOB_UNKNOWN');
    await discard(r);
    const stored = r.headers.get('docker-content-digest');
    if (stored && stored !== blob.digest) {
      throw new RegistryError(
        'DIGEST_MISMATCH',
        `${describeRequest(put, url)}: stored as ${stored}, expected ${blob.digest}`,
      );
    }
  });
}

/**
 * Cross-repository blob mount on one registry. True when mounted (201); false when the
 * registry opened an upload instead (202), which is then cancelled.
 */
export async function mountBlob(
  ctx: ClientContext,
  repository: ReferenceLike,
  digest: string,
  fromRepository: string,
  options: RequestOptions = {},
): Promise<boolean> {
  const r = toReference(repository);
  assertDigest(digest);
  const req = {
    method: 'POST' as const,
    registry: r.registry,
    path: `/v2/${r.repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromRepository)}`,
    headers: { 'content-length': '0' },
    scope: `${repositoryScope(r.repository, 'pull,push')} ${repositoryScope(fromRepository, 'pull')}`,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  };
  const session = await ctx.transport.send(req, async (res, url) => {
    await discard(res);
    if (res.status === 201) return undefined;
    if (res.status === 202) return res.headers.get('location') ?? '';
    throw await errorFromResponse(res, req, describeRequest(req, url), 'BLOB_UNKNOWN');
  });
  if (session === undefined) return true;
  if (session) {
    // Close the upload session we did not want, best effort.
    const del = {
      method: 'DELETE' as const,
      registry: r.registry,
      path: session,
      scope: req.scope,
      signal: options.signal,
    };
    await ctx.transport.send(del, (res) => discard(res)).catch(() => undefined);
  }
  return false;
}

function blobRequest(
  method: 'GET' | 'HEAD',
  r: ImageReference,
  digest: string,
  options: RequestOptions,
  actions: 'pull' | 'pull,push',
): RegistryRequest {
  return {
    method,
    registry: r.registry,
    path: `/v2/${r.repository}/blobs/${digest}`,
    scope: repositoryScope(r.repository, actions),
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  };
}
