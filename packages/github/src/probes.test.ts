// The doctor's read-only probes: what GitHub says a token may do on a repository, against the
// simulator's tokens (push, read-only, App, repository-only) and a classic token's scopes header.
import { createServer, type Server } from 'node:http';
import { rejectionOf } from '@relkit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { GitHubError } from './errors.js';
import { GitHubForge } from './forge.js';
import { FAST, forgeFor, R, REPO, SMOKE, useSimulator } from './__tests__/support.js';

const t = useSimulator();
let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

describe('repositoryAccess', () => {
  it('reports push as GitHub tells it, and nothing for an App token GitHub tells push: false', async () => {
    expect((await forgeFor(t.sim).repositoryAccess(REPO)).push).toBe(true);
    const read = await forgeFor(t.sim, { token: t.sim.readToken }).repositoryAccess(REPO);
    expect(read).toMatchObject({ push: false, tokenKind: 'user', permissions: { push: false, pull: true } });
    const app = await forgeFor(t.sim, { token: t.sim.appToken }).repositoryAccess(REPO);
    expect(app).toMatchObject({ push: undefined, tokenKind: 'app', permissions: { push: false } });
    expect(app.scopes).toBeUndefined();
  });

  it('refuses a repository the token cannot see (404)', async () => {
    const only = forgeFor(t.sim, { token: t.sim.repositoryToken(R) });
    const e = await rejectionOf(only.repositoryAccess(SMOKE), GitHubError);
    expect(e.code).toBe('NOT_FOUND');
  });

  it("reads a classic token's X-OAuth-Scopes", async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-oauth-scopes': 'repo, read:packages' });
      res.end(JSON.stringify({ id: 1, name: 'app', permissions: { admin: false, push: true, pull: true } }));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const forge = new GitHubForge({ token: 'ghp_classic', baseUrl: `http://127.0.0.1:${port}`, ...FAST });
    expect(await forge.repositoryAccess(REPO)).toEqual({
      push: true,
      permissions: { admin: false, push: true, pull: true },
      scopes: ['repo', 'read:packages'],
      tokenKind: 'user',
    });
  });
});

describe('releasesVisible and pullRequestsReadable', () => {
  it('sees drafts only with push access', async () => {
    t.sim.seedRelease(R, { tag: '1.2.3', draft: true });
    expect(await forgeFor(t.sim).releasesVisible(REPO)).toEqual({ drafts: true });
    expect(await forgeFor(t.sim, { token: t.sim.readToken }).releasesVisible(REPO)).toEqual({
      drafts: false,
    });
    await forgeFor(t.sim, { token: t.sim.readToken }).pullRequestsReadable(REPO);
    expect(t.sim.requests.filter((q) => q.method !== 'GET')).toEqual([]);
  });
});
