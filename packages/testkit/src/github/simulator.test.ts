import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubSimulator, type GitHubSimulator } from './simulator.js';
import { OPENAPI_SOURCE } from './openapi.js';
import { memoryPackageSource } from './packages.js';

let sim: GitHubSimulator;
const R = 'acme/app';

async function call(method: string, path: string, body?: unknown, token = sim.pushToken) {
  const res = await fetch(sim.url + path, {
    method,
    headers: {
      authorization: `token ${token}`,
      accept: 'application/vnd.github+json',
      'content-type': 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
}

beforeEach(async () => {
  sim = await startGitHubSimulator();
  sim.createRepo(R, { files: { 'CHANGELOG.md': '## [1.2.3] - TBD\n' } });
});
afterEach(async () => {
  await sim.stop();
});

describe('GitHub simulator', () => {
  it('records the OpenAPI source it validates against', () => {
    expect(OPENAPI_SOURCE).toMatchObject({ package: '@octokit/openapi', version: '23.0.2' });
  });

  it('answers every operation of its subset with responses GitHub could send', async () => {
    const main = sim.branchSha(R, 'main')!;
    expect((await call('GET', `/repos/${R}`)).status).toBe(200);
    const created = await call('POST', `/repos/${R}/releases`, {
      tag_name: '1.2.3',
      draft: true,
      body: 'notes',
    });
    expect(created.status).toBe(201);
    const id = created.body!.id as number;
    expect((await call('GET', `/repos/${R}/releases?per_page=100`)).status).toBe(200);
    expect((await call('GET', `/repos/${R}/releases/${id}`)).status).toBe(200);
    expect((await call('GET', `/repos/${R}/releases/tags/1.2.3`)).status).toBe(404);
    expect(
      (await call('PATCH', `/repos/${R}/releases/${id}`, { draft: false, make_latest: 'true' })).status,
    ).toBe(200);
    expect((await call('GET', `/repos/${R}/releases/tags/1.2.3`)).status).toBe(200);
    expect((await call('POST', `/repos/${R}/git/refs`, { ref: 'refs/tags/1.2.4', sha: main })).status).toBe(
      201,
    );
    expect((await call('GET', `/repos/${R}/git/ref/tags/1.2.4`)).status).toBe(200);
    expect((await call('GET', `/repos/${R}/git/matching-refs/tags/1.2`)).body).toHaveLength(2);
    expect((await call('PATCH', `/repos/${R}/git/refs/tags/1.2.4`, { sha: main, force: true })).status).toBe(
      200,
    );
    expect((await call('DELETE', `/repos/${R}/git/refs/tags/1.2.4`)).status).toBe(204);
    const commit = await call('GET', `/repos/${R}/git/commits/${main}`);
    expect(commit.status).toBe(200);
    const tree = (commit.body!.tree as { sha: string }).sha;
    expect(
      (await call('POST', `/repos/${R}/git/commits`, { message: 'lock', tree, parents: [] })).status,
    ).toBe(201);
    // The git data API of a multi-file commit: a blob, a tree on the commit's tree.
    const blob = await call('POST', `/repos/${R}/git/blobs`, { content: 'hello\n', encoding: 'utf-8' });
    expect(blob.status).toBe(201);
    const newTree = await call('POST', `/repos/${R}/git/trees`, {
      base_tree: tree,
      tree: [{ path: 'docs/hello.txt', mode: '100644', type: 'blob', sha: blob.body!.sha }],
    });
    expect(newTree.status).toBe(201);
    expect((newTree.body!.tree as { path: string }[]).map((e) => e.path)).toContain('docs/hello.txt');
    const file = await call('GET', `/repos/${R}/contents/CHANGELOG.md?ref=main`);
    expect(file.status).toBe(200);
    const put = await call('PUT', `/repos/${R}/contents/CHANGELOG.md`, {
      message: 'chore: finalize',
      content: Buffer.from('## [1.2.3] - 2026-03-27\n').toString('base64'),
      sha: file.body!.sha,
      branch: 'main',
    });
    expect(put.status).toBe(200);
    const pr = sim.openPull(R, { head: 'release/1.2.3', base: 'main' });
    const head = sim.branchSha(R, 'release/1.2.3')!;
    sim.review(R, pr, 'alice', 'APPROVED');
    sim.addCheckRun(R, head, { name: 'ci', conclusion: 'success' });
    sim.addStatus(R, head, { context: 'lint', state: 'success' });
    expect(
      (await call('GET', `/repos/${R}/pulls?head=acme:release/1.2.3&base=main&state=open`)).body,
    ).toHaveLength(1);
    const first = await call('GET', `/repos/${R}/pulls/${pr}`);
    expect(first.body).toMatchObject({ mergeable: null, mergeable_state: 'unknown' });
    expect((await call('GET', `/repos/${R}/pulls/${pr}`)).body).toMatchObject({
      mergeable: true,
      mergeable_state: 'clean',
    });
    expect((await call('GET', `/repos/${R}/pulls/${pr}/reviews`)).body).toHaveLength(1);
    expect((await call('GET', `/repos/${R}/commits/${head}/check-runs?filter=all`)).body).toMatchObject({
      total_count: 1,
    });
    expect((await call('GET', `/repos/${R}/commits/${head}/statuses`)).body).toHaveLength(1);
    expect((await call('POST', `/repos/${R}/issues/${pr}/comments`, { body: 'shipping' })).status).toBe(201);
    expect((await call('PATCH', `/repos/${R}/pulls/${pr}`, { title: 'Release 1.2.3' })).status).toBe(200);
    expect(
      (await call('PUT', `/repos/${R}/pulls/${pr}/merge`, { merge_method: 'merge', sha: head })).status,
    ).toBe(200);
    // Gitflow: compare BASE...HEAD, then a draft PR opened through the API (prepare, the sync PR).
    sim.setRef(R, 'refs/heads/dev', main);
    sim.commit(R, 'dev', { 'dev.txt': 'next' }, 'dev work');
    const cmp = await call('GET', `/repos/${R}/compare/main...dev`);
    expect(cmp.status).toBe(200);
    // main has the release PR's merge (and the contents commit) since, dev one commit of its own.
    expect(cmp.body).toMatchObject({ status: 'diverged', ahead_by: 1 });
    expect(cmp.body!.behind_by).toBeGreaterThan(0);
    expect((cmp.body!.commits as { commit: { message: string } }[])[0]?.commit.message).toBe('dev work');
    expect((await call('GET', `/repos/${R}/compare/main...main`)).body).toMatchObject({
      status: 'identical',
      ahead_by: 0,
      commits: [],
    });
    const opened = await call('POST', `/repos/${R}/pulls`, {
      title: 'chore: release 1.3.0',
      head: 'dev',
      base: 'main',
      body: '# Release 1.3.0',
      draft: true,
    });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ draft: true, body: '# Release 1.3.0', head: { ref: 'dev' } });
    expect(
      (await call('POST', `/repos/${R}/pulls`, { title: 'again', head: 'dev', base: 'main' })).status,
    ).toBe(422);
    expect(
      (await call('POST', `/repos/${R}/pulls`, { title: 'none', head: 'main', base: 'dev' })).status,
    ).toBe(201);
    sim.addWorkflowRun(R, { displayTitle: 'smoke 1.2.3', status: 'completed', conclusion: 'success' });
    expect(
      (
        await call('POST', `/repos/${R}/dispatches`, {
          event_type: 'smoke-test-trigger',
          client_payload: { tag: '1.2.3' },
        })
      ).status,
    ).toBe(204);
    expect(
      (await call('GET', `/repos/${R}/actions/runs?event=repository_dispatch&per_page=100`)).body,
    ).toMatchObject({ total_count: 1 });
    const subject = `sha256:${'ab'.repeat(32)}`;
    const statement = { predicateType: 'https://slsa.dev/provenance/v1', subject: [], predicate: {} };
    sim.addAttestation(R, subject, {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: {},
      dsseEnvelope: {
        payload: Buffer.from(JSON.stringify(statement)).toString('base64'),
        payloadType: 'application/vnd.in-toto+json',
        signatures: [],
      },
    });
    const attestations = `/repos/${R}/attestations/${subject}`;
    expect((await call('GET', attestations)).body).toMatchObject({
      attestations: [{ repository_id: expect.any(Number) as number }],
    });
    expect((await call('GET', `${attestations}?predicate_type=https://spdx.dev/Document`)).body).toEqual({
      attestations: [],
    });
    // The Packages API (ghcr.io clean-up): an org's package and a user's, listed and deleted.
    const digest = (c: string) => `sha256:${c.repeat(64)}`;
    sim.addContainerPackage(
      'acme',
      'app',
      memoryPackageSource([
        { digest: digest('1'), tags: ['1.2.3', 'latest'] },
        { digest: digest('2'), tags: ['1.2.3-rc1'] },
        { digest: digest('3'), tags: [] },
      ]),
    );
    sim.addContainerPackage(
      'octocat',
      'tool/cli',
      memoryPackageSource([{ digest: digest('4'), tags: ['1.0.0'] }]),
      {
        ownerType: 'user',
      },
    );
    const orgVersions = `/orgs/acme/packages/container/app/versions`;
    const page1 = await call('GET', `${orgVersions}?per_page=2`);
    expect(page1.status).toBe(200);
    expect(page1.body).toHaveLength(2);
    expect(page1.headers.get('link')).toMatch(/page=2>; rel="next"/);
    const listed = (await call('GET', `${orgVersions}?per_page=100`)).body as unknown as {
      id: number;
      name: string;
      metadata: { container: { tags: string[] } };
    }[];
    const rc = listed.find((v) => v.metadata.container.tags.includes('1.2.3-rc1'))!;
    expect(rc.name).toBe(digest('2'));
    expect((await call('DELETE', `${orgVersions}/${rc.id}`, undefined, sim.readToken)).status).toBe(403);
    expect((await call('DELETE', `${orgVersions}/${rc.id}`)).status).toBe(204);
    expect((await call('DELETE', `${orgVersions}/${rc.id}`)).status).toBe(404);
    expect((await call('GET', `${orgVersions}?per_page=100`)).body).toHaveLength(2);
    // The wrong owner type is a 404, as on GitHub.
    expect((await call('GET', `/users/acme/packages/container/app/versions`)).status).toBe(404);
    const userVersions = `/users/octocat/packages/container/${encodeURIComponent('tool/cli')}/versions`;
    const mine = (await call('GET', userVersions)).body as unknown as { id: number }[];
    expect(mine).toHaveLength(1);
    expect((await call('DELETE', `${userVersions}/${mine[0]!.id}`)).status).toBe(204);
    expect((await call('DELETE', `/repos/${R}/releases/${id}`)).status).toBe(204);
    sim.assertNoViolations();
    const served = new Set(sim.requests.map((r) => r.operation));
    expect([...served].filter(Boolean).sort()).toEqual(sim.validator.operations());
  });

  it('records a request GitHub would reject as a violation and answers 422', async () => {
    const res = await call('POST', `/repos/${R}/releases`, { tag: '1.2.3' });
    expect(res.status).toBe(422);
    expect(sim.violations).toHaveLength(1);
    expect(sim.violations[0]!.problems.join()).toMatch(/tag_name/);
    expect(() => sim.assertNoViolations()).toThrow(/OpenAPI violation/);
  });

  it('holds clients to the OpenAPI description even where GitHub is lenient (created= search syntax)', async () => {
    expect((await call('GET', `/repos/${R}/actions/runs?created=%3E%3D2026-01-01`)).status).toBe(422);
    expect(() => sim.assertNoViolations()).toThrow(/created/);
  });

  it('rejects a dispatch whose client_payload has more than 10 properties, as GitHub does', async () => {
    const payload = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, i]));
    expect(
      (await call('POST', `/repos/${R}/dispatches`, { event_type: 'x', client_payload: payload })).status,
    ).toBe(422);
    expect(() => sim.assertNoViolations()).toThrow(/maxProperties|more than 10/);
  });

  it('hides drafts from tokens without push access and by tag from everyone', async () => {
    sim.seedRelease(R, { tag: '1.2.3', draft: true });
    expect((await call('GET', `/repos/${R}/releases`)).body).toHaveLength(1);
    expect((await call('GET', `/repos/${R}/releases`, undefined, sim.readToken)).body).toHaveLength(0);
    expect((await call('GET', `/repos/${R}/releases/tags/1.2.3`)).status).toBe(404);
    sim.assertNoViolations();
  });

  it('burns the tag name when a published release is deleted', async () => {
    const id = sim.seedRelease(R, { tag: '1.5.0' });
    sim.deleteRelease(R, id);
    const res = await call('POST', `/repos/${R}/git/refs`, {
      ref: 'refs/tags/1.5.0',
      sha: sim.branchSha(R, 'main'),
    });
    expect(res.status).toBe(422);
    expect(String(res.body!.message)).toMatch(/creations being restricted/);
    sim.assertNoViolations();
  });

  it('refuses to change the tag of a published (immutable) release', async () => {
    const id = sim.seedRelease(R, { tag: '1.2.3' });
    expect((await call('PATCH', `/repos/${R}/releases/${id}`, { tag_name: '9.9.9' })).status).toBe(422);
    expect((await call('PATCH', `/repos/${R}/releases/${id}`, { draft: true })).status).toBe(422);
    sim.assertNoViolations();
  });

  it('lists matching refs by prefix only, in ref order, and an empty array for none', async () => {
    const main = sim.branchSha(R, 'main')!;
    for (const t of ['1.2.3-rc2', '1.2.3-rc1', '1.2.30', 'v1.2.3']) sim.setRef(R, `refs/tags/${t}`, main);
    sim.setRef(R, 'refs/heads/1.2.3-rc3', main);
    const res = await call('GET', `/repos/${R}/git/matching-refs/tags/1.2.3-rc`);
    expect((res.body as unknown as { ref: string }[]).map((r) => r.ref)).toEqual([
      'refs/tags/1.2.3-rc1',
      'refs/tags/1.2.3-rc2',
    ]);
    expect((await call('GET', `/repos/${R}/git/matching-refs/tags/9`)).body).toEqual([]);
    sim.assertNoViolations();
  });

  it('closes and reopens pull requests like GitHub: a merged one stays merged, a deleted head cannot reopen', async () => {
    const pr = sim.openPull(R, { head: 'release/1.2.3', base: 'main' });
    const head = sim.branchSha(R, 'release/1.2.3')!;
    const closed = await call('PATCH', `/repos/${R}/pulls/${pr}`, { state: 'closed' });
    expect(closed.body).toMatchObject({ state: 'closed', merged: false });
    expect(closed.body!.closed_at).toEqual(expect.any(String));
    sim.deleteRef(R, 'refs/heads/release/1.2.3');
    // A closed PR keeps its head after the branch is gone, and cannot be reopened.
    expect((await call('GET', `/repos/${R}/pulls/${pr}`)).body).toMatchObject({ head: { sha: head } });
    expect((await call('PATCH', `/repos/${R}/pulls/${pr}`, { state: 'open' })).status).toBe(422);
    const other = sim.openPull(R, { head: 'release/1.2.4', base: 'main' });
    const otherHead = sim.branchSha(R, 'release/1.2.4')!;
    sim.setMergeState(R, other, 'clean', 0);
    await call('PUT', `/repos/${R}/pulls/${other}/merge`, { sha: otherHead });
    expect((await call('PATCH', `/repos/${R}/pulls/${other}`, { state: 'open' })).status).toBe(422);
    expect((await call('PATCH', `/repos/${R}/pulls/${other}`, { state: 'closed' })).body).toMatchObject({
      state: 'closed',
      merged: true,
    });
    expect(
      (await call('POST', `/repos/${R}/issues/${other}/comments`, { body: 'x' }, sim.readToken)).status,
    ).toBe(403);
    expect((await call('POST', `/repos/${R}/issues/999/comments`, { body: 'x' })).status).toBe(404);
    expect(sim.comments(R, other)).toEqual([]);
    sim.assertNoViolations();
  });

  it('serves GitHub Enterprise Server paths under /api/v3', async () => {
    const ghes = await startGitHubSimulator({ enterprise: true });
    try {
      ghes.createRepo(R);
      expect(ghes.url).toMatch(/\/api\/v3$/);
      const res = await fetch(`${ghes.url}/repos/${R}`, {
        headers: { authorization: `token ${ghes.pushToken}` },
      });
      expect(res.status).toBe(200);
      ghes.assertNoViolations();
    } finally {
      await ghes.stop();
    }
  });
});
