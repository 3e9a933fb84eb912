import { repositoryScope } from './auth.js';
import { parseJson, type ClientContext, type RequestOptions } from './context.js';
import { assertDigest } from './digest.js';
import { RegistryError } from './errors.js';
import { discard, readBodyLimited } from './limits.js';
import { MediaType, bareMediaType, parseManifest, type Descriptor } from './manifest.js';
import { findManifest } from './manifests.js';
import { formatReference, toReference, withTag, type ReferenceLike } from './reference.js';
import type { HttpAnswer } from './http.js';
import { describeRequest, errorFromResponse, type RegistryRequest } from './transport.js';

/*
 * Tags and referrers: the tag list of a repository (paged), and the manifests that refer to a
 * digest (the OCI 1.1 API, or the `sha256-<hex>` fallback tag).
 */

export interface Referrers {
  /** 'api' when the registry has the OCI 1.1 referrers API, else the `sha256-<hex>` tag was read. */
  readonly via: 'api' | 'fallback-tag';
  /**
   * Descriptors of manifests whose subject is the digest. With an artifactType filter, entries
   * without any artifactType are kept (some registries leave it empty): check the manifest itself.
   */
  readonly manifests: readonly Descriptor[];
}

/** The tag under which OCI 1.1 registries without the referrers API list referrers of a digest. */
export function referrersTag(digest: string): string {
  return assertDigest(digest).replace(':', '-');
}

/** All pages of a tag list together (a page alone may be that large, too). */
const MAX_TAG_LIST_BYTES = 16 * 1024 * 1024;
/** Pages of a referrers list followed at most (each page is an index of up to maxManifestBytes). */
const MAX_REFERRER_PAGES = 100;

/** The next page a `Link: <…>; rel="next"` header names (OCI distribution: tags and referrers). */
function nextPage(link: string | null): string | undefined {
  const m = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
  return m ? m[1] : undefined;
}

/**
 * Refuses a page already read (a Link that loops) and more than `maxPages` pages: `what` names
 * the list in the error.
 */
function pageGuard(what: string, maxPages: number, noun: string): (path: string, page: number) => void {
  const visited = new Set<string>();
  return (path, page) => {
    if (visited.has(path)) {
      throw new RegistryError(
        'PROTOCOL',
        `${what}: the next page is one already read (the Link pages loop); stopping`,
      );
    }
    visited.add(path);
    if (page >= maxPages) {
      throw new RegistryError('PROTOCOL', `${what}: more than ${maxPages} pages of ${noun}; stopping`);
    }
  };
}

/** Every tag of a repository, following `Link: <…>; rel="next"` pages. */
export async function listTags(
  ctx: ClientContext,
  repository: ReferenceLike,
  options: RequestOptions & { pageSize?: number; maxPages?: number } = {},
): Promise<string[]> {
  const r = toReference(repository);
  const tags: string[] = [];
  let path: string | undefined = `/v2/${r.repository}/tags/list?n=${options.pageSize ?? 1000}`;
  const maxPages = options.maxPages ?? 1000;
  // Every page counts against one budget: with a 16 MiB cap per page only, 1000 pages (or a
  // Link that keeps pointing back to the same page) could fill gigabytes before maxPages.
  let budget = MAX_TAG_LIST_BYTES;
  const guard = pageGuard(`${r.registry}/${r.repository}: the tag list`, maxPages, 'tags');
  for (let page = 0; path; page++) {
    guard(path, page);
    const req = {
      method: 'GET' as const,
      registry: r.registry,
      path,
      headers: { accept: 'application/json' },
      scope: repositoryScope(r.repository, 'pull'),
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    };
    const out: { tags: string[]; next: string | undefined } = await ctx.transport.send(
      req,
      async (res, url) => {
        if (res.status !== 200)
          throw await errorFromResponse(res, req, describeRequest(req, url), 'NAME_UNKNOWN');
        const bytes = await readBodyLimited(res, budget, `the tag list of ${r.registry}/${r.repository}`);
        budget -= bytes.byteLength;
        const body = parseJson(bytes, 'tag list') as { tags?: unknown };
        const list = body.tags === null || body.tags === undefined ? [] : body.tags;
        if (!Array.isArray(list) || !list.every((t) => typeof t === 'string')) {
          throw new RegistryError(
            'PROTOCOL',
            `${describeRequest(req, url)}: "tags" is not a list of strings`,
          );
        }
        return { tags: list, next: nextPage(res.headers.get('link')) };
      },
    );
    tags.push(...out.tags);
    path = out.next;
  }
  return tags;
}

/**
 * Manifests that refer to `subject` (signatures, attestations, SBOMs): the OCI 1.1 referrers
 * API, or the `sha256-<hex>` fallback tag when the registry has no API (distribution 2.8, GHCR).
 * An empty list means the registry was asked and has none; failures to look throw.
 */
export async function referrers(
  ctx: ClientContext,
  subject: ReferenceLike,
  options: RequestOptions & { artifactType?: string } = {},
): Promise<Referrers> {
  const r = toReference(subject);
  if (!r.digest) {
    throw new RegistryError(
      'INVALID_REFERENCE',
      `${formatReference(r)}: referrers are looked up by digest (repo@sha256:…)`,
    );
  }
  // Ask the API and read the fallback tag at once: registries without the API (GHCR, distribution
  // 2.8) answer 404 to the first, and waiting for that would put a round trip on the critical path.
  const fallbackLookup = findManifest(ctx, withTag(r, referrersTag(r.digest)), options).then(
    (manifest) => ({ manifest }),
    (error: unknown) => ({ error }),
  );
  const q = options.artifactType ? `?artifactType=${encodeURIComponent(options.artifactType)}` : '';
  const request = (path: string) => ({
    method: 'GET' as const,
    registry: r.registry,
    path,
    headers: { accept: MediaType.ociIndex },
    scope: repositoryScope(r.repository, 'pull'),
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
  const first = request(`/v2/${r.repository}/referrers/${r.digest}${q}`);
  // All pages together are held to what one referrers index may be.
  const budget = { bytes: ctx.maxManifestBytes };
  const api = await ctx.transport.send(first, async (res, url) => {
    const type = bareMediaType(res.headers.get('content-type'));
    if (res.status === 200 && type === MediaType.ociIndex) return readReferrersPage(res, first, url, budget);
    // 404 (no API, or GHCR's MANIFEST_UNKNOWN), 400 and 405 all mean: use the fallback tag.
    if (res.status === 404 || res.status === 400 || res.status === 405 || res.status === 200) {
      await discard(res);
      return undefined;
    }
    throw await errorFromResponse(res, first, describeRequest(first, url));
  });
  // The API may page its answer (OCI distribution 1.1: `Link: <…>; rel="next"`): a signature on
  // a later page is a signature too, and left unread it would be reported missing.
  const guard = pageGuard(`${formatReference(r)}: the referrers list`, MAX_REFERRER_PAGES, 'referrers');
  guard(first.path, 0);
  for (let page = 1, path = api?.next; api && path; page++) {
    guard(path, page);
    const req = request(path);
    const more = await ctx.transport.send(req, async (res, url) => {
      if (res.status !== 200 || bareMediaType(res.headers.get('content-type')) !== MediaType.ociIndex)
        throw await errorFromResponse(res, req, describeRequest(req, url));
      return readReferrersPage(res, req, url, budget);
    });
    api.manifests.push(...more.manifests);
    api.filtered &&= more.filtered;
    path = more.next;
  }
  if (api) {
    return {
      via: 'api',
      manifests: filterArtifacts(api.manifests, api.filtered ? undefined : options.artifactType),
    };
  }
  const looked = await fallbackLookup;
  if ('error' in looked) throw looked.error;
  const fallback = looked.manifest;
  if (!fallback) return { via: 'fallback-tag', manifests: [] };
  if (fallback.manifest.kind !== 'index') {
    throw new RegistryError(
      'PROTOCOL',
      `${formatReference(fallback.reference)} is not an index of referrers`,
    );
  }
  return {
    via: 'fallback-tag',
    manifests: filterArtifacts(fallback.manifest.manifests, options.artifactType),
  };
}

/** One page of the referrers API: its descriptors, whether the registry filtered them, the next page. */
async function readReferrersPage(
  res: HttpAnswer,
  req: RegistryRequest,
  url: URL,
  budget: { bytes: number },
): Promise<{ manifests: Descriptor[]; filtered: boolean; next: string | undefined }> {
  const bytes = await readBodyLimited(res, budget.bytes, 'a referrers index');
  budget.bytes -= bytes.byteLength;
  const pm = parseManifest(bytes, MediaType.ociIndex);
  if (pm.kind !== 'index') throw new RegistryError('PROTOCOL', `${describeRequest(req, url)}: not an index`);
  return {
    manifests: [...pm.manifests],
    filtered: (res.headers.get('oci-filters-applied') ?? '').includes('artifactType'),
    next: nextPage(res.headers.get('link')),
  };
}

function filterArtifacts(list: readonly Descriptor[], artifactType: string | undefined): Descriptor[] {
  if (!artifactType) return [...list];
  return list.filter((d) => !d.artifactType || d.artifactType === artifactType);
}
