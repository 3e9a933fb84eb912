import { describe, expect, it } from 'vitest';
import { GitHubError } from './errors.js';
import { forgeFor, R, REPO, S, SMOKE, useSimulator } from './__tests__/support.js';
import { rejectionOf } from '@relkit/testkit';

const t = useSimulator();

const rejection = (p: Promise<unknown>) => rejectionOf(p, GitHubError);

describe('releases', () => {
  it('#507: finds a draft release by listing, where GET /releases/tags/{tag} answers 404', async () => {
    const id = t.sim.seedRelease(R, { tag: '1.2.3', draft: true, body: 'notes' });
    const forge = forgeFor(t.sim);
    const found = await forge.findRelease(REPO, '1.2.3');
    expect(found.release).toMatchObject({ id, tag: '1.2.3', draft: true, notes: 'notes', publishedAt: null });
    expect(found.draftsVisible).toBe(true);
    // The endpoint the origin first used really does not see it:
    const byTag = await fetch(`${t.sim.url}/repos/${R}/releases/tags/1.2.3`, {
      headers: { authorization: `token ${t.sim.pushToken}` },
    });
    expect(byTag.status).toBe(404);
  });

  it('finds a release beyond the first page of the list', async () => {
    for (let i = 0; i < 120; i++) t.sim.seedRelease(R, { tag: `0.0.${i}`, draft: i % 2 === 0 });
    const found = await forgeFor(t.sim).findRelease(REPO, '0.0.0');
    expect(found.release).toMatchObject({ tag: '0.0.0', draft: true });
    expect(t.sim.requests.filter((r) => r.operation === 'GET /repos/{owner}/{repo}/releases').length).toBe(2);
  });

  it('#517: a token without push access cannot see drafts, and the error says so', async () => {
    t.sim.seedRelease(R, { tag: '1.2.3', draft: true });
    const forge = forgeFor(t.sim, { token: t.sim.readToken });
    const found = await forge.findRelease(REPO, '1.2.3');
    expect(found).toMatchObject({ release: undefined, draftsVisible: false });
    const e = await rejection(forge.getDraftRelease(REPO, '1.2.3'));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toMatch(/no push access/);
    expect(e.advice).toMatch(/contents: write/);
  });

  it('creates a draft with notes, and a re-run is idempotent (unchanged, or updated notes)', async () => {
    const forge = forgeFor(t.sim);
    await forge.createTag(REPO, '1.2.3', t.main);
    const first = await forge.createDraftRelease(REPO, { tag: '1.2.3', notes: '### Added\n\n- x\n' });
    expect(first.outcome).toBe('created');
    expect(first.release).toMatchObject({
      draft: true,
      notes: '### Added\n\n- x\n',
      name: '1.2.3',
      prerelease: false,
    });
    expect(
      (await forge.createDraftRelease(REPO, { tag: '1.2.3', notes: '### Added\n\n- x\n' })).outcome,
    ).toBe('unchanged');
    const again = await forge.createDraftRelease(REPO, { tag: '1.2.3', notes: '### Added\n\n- y\n' });
    expect(again).toMatchObject({
      outcome: 'updated',
      release: { id: first.release.id, notes: '### Added\n\n- y\n' },
    });
    expect(t.sim.releases(R)).toHaveLength(1);
  });

  it('refuses a draft for a tag that does not exist yet (like --verify-tag)', async () => {
    const e = await rejection(forgeFor(t.sim).createDraftRelease(REPO, { tag: '9.9.9', notes: 'n' }));
    expect(e.code).toBe('PRECONDITION_FAILED');
    expect(t.sim.releases(R)).toHaveLength(0);
  });

  it('refuses to create a draft over a published release (immutable)', async () => {
    t.sim.seedRelease(R, { tag: '1.2.3' });
    const e = await rejection(forgeFor(t.sim).createDraftRelease(REPO, { tag: '1.2.3', notes: 'n' }));
    expect(e.code).toBe('PRECONDITION_FAILED');
    expect(e.advice).toMatch(/patch version/);
  });

  it('refuses to create a draft with a token that cannot see drafts (it could not tell if one exists)', async () => {
    const e = await rejection(
      forgeFor(t.sim, { token: t.sim.readToken }).createDraftRelease(REPO, { tag: '1.2.3', notes: 'n' }),
    );
    expect(e.code).toBe('FORBIDDEN');
  });

  it.each(['true', 'false', 'legacy'] as const)(
    'publishes the draft with make_latest=%s, and a re-run is a no-op',
    async (makeLatest) => {
      const id = t.sim.seedRelease(R, { tag: '1.2.3', draft: true, body: 'notes' });
      const forge = forgeFor(t.sim);
      const r = await forge.publishRelease(REPO, '1.2.3', { makeLatest });
      expect(r.outcome).toBe('published');
      expect(r.release).toMatchObject({ id, draft: false, immutable: true });
      expect(r.release.publishedAt).not.toBeNull();
      expect(t.sim.releases(R)[0]).toMatchObject({ draft: false, makeLatest });
      expect(t.sim.refSha(R, 'refs/tags/1.2.3')).toBe(t.main);
      expect((await forge.publishRelease(REPO, '1.2.3', { makeLatest })).outcome).toBe('already-published');
      const patches = t.sim.requests.filter(
        (q) => q.operation === 'PATCH /repos/{owner}/{repo}/releases/{release_id}',
      );
      expect(patches).toHaveLength(1);
      expect(patches[0]!.body).toEqual({ draft: false, make_latest: makeLatest });
    },
  );

  it('refuses an implicit make_latest', async () => {
    t.sim.seedRelease(R, { tag: '1.2.3', draft: true });
    const e = await rejection(
      forgeFor(t.sim).publishRelease(REPO, '1.2.3', { makeLatest: undefined as unknown as 'true' }),
    );
    expect(e.code).toBe('INVALID_INPUT');
    expect(t.sim.releases(R)[0]!.draft).toBe(true);
  });

  it('deletes only drafts: a published release is never deleted', async () => {
    t.sim.seedRelease(R, { tag: '1.2.3', draft: true });
    t.sim.seedRelease(R, { tag: '1.2.2' });
    const forge = forgeFor(t.sim);
    expect(await forge.deleteDraftRelease(REPO, '1.2.3')).toEqual({ outcome: 'deleted' });
    expect(await forge.deleteDraftRelease(REPO, '1.2.3')).toEqual({ outcome: 'absent' });
    const e = await rejection(forge.deleteDraftRelease(REPO, '1.2.2'));
    expect(e.code).toBe('PRECONDITION_FAILED');
    expect(e.advice).toMatch(/fix forward/);
    expect(t.sim.releases(R).map((r) => r.tag)).toEqual(['1.2.2']);
    expect(t.sim.requests.some((q) => q.method === 'DELETE' && q.status === 204)).toBe(true);
  });

  it('#1301: a tag burned by a deleted published release is reported as burned, for the tag and the release', async () => {
    const id = t.sim.seedRelease(R, { tag: '1.5.0' });
    t.sim.deleteRelease(R, id);
    const forge = forgeFor(t.sim);
    const tag = await rejection(forge.createTag(REPO, '1.5.0', t.main));
    expect(tag.code).toBe('TAG_BURNED');
    expect(tag.status).toBe(422);
    expect(tag.advice).toMatch(/next patch/);
    const rel = await rejection(
      forge.createDraftRelease(REPO, { tag: '1.5.0', notes: 'n', requireTag: false }),
    );
    expect(rel.code).toBe('TAG_BURNED');
  });

  it('refuses tag names git would not accept', async () => {
    for (const bad of ['', 'a..b', '-x', 'x.lock', 'has space'])
      expect((await rejection(forgeFor(t.sim).findRelease(REPO, bad))).code).toBe('INVALID_INPUT');
  });
});

describe('downstream smoke signal', () => {
  const cases = [
    // [draft, prerelease, rule, expected state, reason pattern]
    [false, false, 'published', 'passed', /published final release/],
    [false, true, 'published', 'pending', /still a pre-release, expected final/],
    [true, false, 'published', 'pending', /draft final release.*still a draft/],
    [true, true, 'published', 'pending', /draft pre-release/],
    [false, true, 'prerelease', 'passed', /published pre-release/],
    [true, true, 'prerelease', 'pending', /still a draft/],
    [false, false, 'prerelease', 'unexpected', /final, not a pre-release/],
    [false, false, 'either', 'passed', /published final/],
    [false, true, 'either', 'passed', /published pre-release/],
    [true, false, 'either', 'pending', /still a draft/],
  ] as const;
  it.each(cases)(
    'draft=%s prerelease=%s under rule %s → %s',
    async (draft, prerelease, rule, state, reason) => {
      t.sim.seedRelease(S, { tag: '1.2.3', draft, prerelease });
      const signal = await forgeFor(t.sim).checkSmokeSignal(SMOKE, '1.2.3', rule);
      expect(signal.state).toBe(state);
      expect(signal.reason).toMatch(reason);
      expect(signal.release).toMatchObject({ draft, prerelease });
    },
  );

  it('is absent when there is no release, explaining drafts and burned tags', async () => {
    const signal = await forgeFor(t.sim, { token: t.sim.readToken }).checkSmokeSignal(
      SMOKE,
      '1.2.3',
      'published',
    );
    expect(signal.state).toBe('absent');
    expect(signal.reason).toMatch(/cannot see drafts/);
    expect(signal.reason).toMatch(/burned/);
  });
});
