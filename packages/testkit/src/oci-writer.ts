import { createHash } from 'node:crypto';
import type { LocalRegistry, RegistryCredentials } from './registry.js';

/**
 * A deliberately small, independent OCI client for *setting up* tests (pushing images,
 * signatures, corrupt manifests). It is not the product's registry client: tests use it as a
 * second opinion, next to skopeo.
 */
export const MediaTypes = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export const ALL_MANIFEST_TYPES = [
  MediaTypes.ociIndex,
  MediaTypes.ociManifest,
  MediaTypes.dockerList,
  MediaTypes.dockerManifest,
].join(', ');

export const sha256 = (data: Uint8Array | string) =>
  `sha256:${createHash('sha256').update(data).digest('hex')}`;

export class OciWriter {
  private readonly tokens = new Map<string, string>();
  constructor(
    readonly baseUrl: string,
    private readonly credentials?: RegistryCredentials,
  ) {}

  static for(registry: LocalRegistry): OciWriter {
    return new OciWriter(registry.url, registry.credentials);
  }

  /** fetch with the Basic / Bearer challenge flow; one token per repository scope. */
  async request(
    method: string,
    path: string,
    repo: string,
    init: RequestInit = {},
    actions = 'pull,push',
  ): Promise<Response> {
    const url = path.startsWith('http') ? path : `${this.baseUrl}${path}`;
    const send = (auth?: string) =>
      fetch(url, {
        ...init,
        method,
        redirect: 'follow',
        headers: { ...(init.headers as Record<string, string>), ...(auth ? { authorization: auth } : {}) },
      });
    const tokenKey = `${repo} ${actions}`;
    const cached = this.tokens.get(tokenKey);
    let res = await send(cached);
    if (res.status !== 401) return res;
    await res.arrayBuffer();
    const challenge = res.headers.get('www-authenticate') ?? '';
    const basic = this.credentials
      ? `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`
      : undefined;
    let auth: string | undefined;
    if (/^basic/i.test(challenge)) auth = basic;
    else if (/^bearer/i.test(challenge)) {
      const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      const t = new URL(params.realm ?? '');
      if (params.service) t.searchParams.set('service', params.service);
      t.searchParams.set('scope', `repository:${repo}:${actions}`);
      const tr = await fetch(t, { headers: basic ? { authorization: basic } : {} });
      if (!tr.ok) throw new Error(`token endpoint answered ${tr.status}`);
      const body = (await tr.json()) as { token?: string; access_token?: string };
      auth = `Bearer ${body.token ?? body.access_token}`;
    }
    if (!auth) throw new Error(`registry wants auth (${challenge}) and no credentials were given`);
    this.tokens.set(tokenKey, auth);
    res = await send(auth);
    return res;
  }

  async uploadBlob(repo: string, data: Uint8Array): Promise<string> {
    const digest = sha256(data);
    const head = await this.request('HEAD', `/v2/${repo}/blobs/${digest}`, repo);
    if (head.status === 200) return digest;
    const start = await this.request('POST', `/v2/${repo}/blobs/uploads/`, repo);
    await start.arrayBuffer();
    if (start.status !== 202) throw new Error(`blob upload start: ${start.status}`);
    const loc = new URL(start.headers.get('location') ?? '', this.baseUrl);
    loc.searchParams.set('digest', digest);
    const put = await this.request('PUT', loc.toString(), repo, {
      body: data,
      headers: { 'content-type': 'application/octet-stream' },
    });
    await put.arrayBuffer();
    if (put.status !== 201) throw new Error(`blob upload: ${put.status}`);
    return digest;
  }

  /** PUT exact bytes; returns the digest the registry reports. */
  async putManifest(repo: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<string> {
    const res = await this.request('PUT', `/v2/${repo}/manifests/${reference}`, repo, {
      body: bytes,
      headers: { 'content-type': mediaType },
    });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`manifest PUT ${repo}:${reference}: ${res.status} ${text}`);
    return res.headers.get('docker-content-digest') ?? sha256(bytes);
  }

  /** DELETE a manifest by digest (the registry must allow deletes); false when it was not there. */
  async deleteManifest(repo: string, digest: string): Promise<boolean> {
    const res = await this.request('DELETE', `/v2/${repo}/manifests/${digest}`, repo, {}, 'pull,push,delete');
    const text = await res.text();
    if (res.status === 404) return false;
    if (res.status !== 202) throw new Error(`manifest DELETE ${repo}@${digest}: ${res.status} ${text}`);
    return true;
  }

  /** Every tag of a repository (the local registry answers them in one page). */
  async listTags(repo: string): Promise<string[]> {
    const res = await this.request('GET', `/v2/${repo}/tags/list?n=10000`, repo);
    if (res.status === 404) return [];
    if (!res.ok) throw new Error(`tags/list ${repo}: ${res.status}`);
    return ((await res.json()) as { tags?: string[] | null }).tags ?? [];
  }

  async getManifest(
    repo: string,
    reference: string,
  ): Promise<{ bytes: Buffer; mediaType: string; digest: string } | null> {
    const res = await this.request('GET', `/v2/${repo}/manifests/${reference}`, repo, {
      headers: { accept: ALL_MANIFEST_TYPES },
    });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`manifest GET ${repo}:${reference}: ${res.status}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    return { bytes, mediaType: res.headers.get('content-type') ?? '', digest: sha256(bytes) };
  }
}
