// The writes that are not idempotent (a second POST is a second release, PR, comment or run),
// under "GitHub applied it, then the answer was lost": a 502, a dropped connection, or JSON cut
// short on the wire (the relay). Each must leave exactly one effect, in the run itself.
import { rejectionOf } from '@relkit/testkit';
import { describe, expect, it } from 'vitest';
import { GitHubError } from './errors.js';
import { cutShort, dropped, useRelay, type Spoil } from './__tests__/relay.js';
import { forgeFor, R, REPO, S, SMOKE, useSimulator } from './__tests__/support.js';

const t = useSimulator();
const startRelay = useRelay(t);

/** The relay's faults, each after the simulator applied the write. */
const SPOILS: [string, Spoil][] = [
  ['cut short', cutShort],
  ['dropped', dropped],
  [
    '502',
    (socket) =>
      socket.end(
        'HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n<html>502</html>',
      ),
  ],
];

const releasePull = () => {
  t.sim.commit(R, 'release/1.2.3', { 'v.txt': '1.2.3' });
  return t.sim.openPull(R, { head: 'release/1.2.3', base: 'main' });
};

describe('a non-idempotent write whose answer is lost is applied once', () => {
  for (const [fault, spoil] of SPOILS) {
    it(`the abandon comment on the release PR × ${fault}`, async () => {
      const n = releasePull();
      const relayed = await startRelay(/^POST \/repos\/acme\/app\/issues\/\d+\/comments$/, spoil, 1);
      const forge = forgeFor(t.sim, { baseUrl: relayed.url, readBackAttempts: 3 });
      // Before: the comment failed the abandon (UNAVAILABLE) and a re-run commented again.
      const r = await forge.closePullRequest(REPO, n, 'abandoned: 1.2.3 will not ship');
      expect(r.outcome).toBe('closed');
      expect(t.sim.comments(R, n).map((c) => c.body)).toEqual(['abandoned: 1.2.3 will not ship']);
      expect(relayed.log.filter((l) => l.startsWith('POST '))).toHaveLength(1);
    });

    it(`closing the release PR × ${fault}`, async () => {
      const n = releasePull();
      const relayed = await startRelay(/^PATCH \/repos\/acme\/app\/pulls\/\d+$/, spoil, 1);
      const forge = forgeFor(t.sim, { baseUrl: relayed.url, readBackAttempts: 3 });
      const first = await forge.closePullRequest(REPO, n, 'abandoned').catch((e: Error) => e);
      // The close is idempotent: failing is allowed, a re-run finishes without a second comment.
      const again = first instanceof Error ? await forge.closePullRequest(REPO, n, 'abandoned') : first;
      expect(again.outcome).toMatch(/closed/);
      expect(t.sim.pull(R, n).state).toBe('closed');
      expect(t.sim.comments(R, n)).toHaveLength(1);
    });

    it(`the draft release × ${fault}`, async () => {
      t.sim.setRef(R, 'refs/tags/1.2.3', t.main);
      const relayed = await startRelay(/^POST \/repos\/acme\/app\/releases$/, spoil, 1);
      const forge = forgeFor(t.sim, { baseUrl: relayed.url, readBackAttempts: 3 });
      const r = await forge.createDraftRelease(REPO, { tag: '1.2.3', notes: 'notes' });
      expect(r.outcome).toBe('created');
      expect(t.sim.releases(R).filter((x) => x.tag === '1.2.3')).toHaveLength(1);
      expect(relayed.log.filter((l) => l === 'POST /repos/acme/app/releases')).toHaveLength(1);
    });

    it(`the release PR × ${fault}`, async () => {
      t.sim.commit(R, 'release/1.2.3', { 'v.txt': '1.2.3' });
      const relayed = await startRelay(/^POST \/repos\/acme\/app\/pulls$/, spoil, 1);
      const forge = forgeFor(t.sim, { baseUrl: relayed.url, readBackAttempts: 3 });
      const p = await forge.openPullRequest(REPO, {
        head: 'release/1.2.3',
        base: 'main',
        title: 'Release 1.2.3',
        body: 'notes',
        draft: false,
      });
      expect(p.state).toBe('open');
      expect(relayed.log.filter((l) => l === 'POST /repos/acme/app/pulls')).toHaveLength(1);
    });

    it(`the smoke dispatch, run named by its correlation id × ${fault}`, async () => {
      t.sim.onDispatch(S, (e) => ({ displayTitle: String(e.clientPayload.correlation_id) }));
      const relayed = await startRelay(/^POST \/repos\/acme\/app-smoke-test\/dispatches$/, spoil, 1);
      const forge = forgeFor(t.sim, { baseUrl: relayed.url, readBackAttempts: 3 });
      const receipt = await forge.dispatch(SMOKE, { eventType: 'smoke', correlationId: 'c-1' });
      expect(t.sim.dispatches(S)).toHaveLength(1);
      expect((await forge.findDispatchedRun(receipt, { timeoutMs: 500 })).boundBy).toBe('correlation-id');
    });

    it(`the smoke dispatch, run NOT named by its correlation id × ${fault}`, async () => {
      // A receiving workflow without `run-name: ${{ github.event.client_payload.correlation_id }}`.
      t.sim.onDispatch(S, () => ({ displayTitle: 'Smoke test' }));
      const relayed = await startRelay(/^POST \/repos\/acme\/app-smoke-test\/dispatches$/, spoil, 1);
      const forge = forgeFor(t.sim, { baseUrl: relayed.url, readBackAttempts: 3 });
      const receipt = await forge.dispatch(SMOKE, { eventType: 'smoke', correlationId: 'c-1' });
      // Before: not found by correlation id, so dispatched again: two smoke runs, AMBIGUOUS.
      expect(t.sim.dispatches(S)).toHaveLength(1);
      expect((await forge.findDispatchedRun(receipt, { timeoutMs: 500 })).boundBy).toBe('baseline');
    });
  }
});

describe('an idempotent write whose answer is lost converges, at once or on a re-run', () => {
  for (const [fault, spoil] of SPOILS) {
    it(`the version tag, the release publish and the merge × ${fault}`, async () => {
      const head = t.sim.commit(R, 'release/1.2.3', { 'v.txt': '1.2.3' });
      const n = t.sim.openPull(R, { head: 'release/1.2.3', base: 'main' });
      t.sim.addCheckRun(R, head, { name: 'ci' });
      t.sim.review(R, n, 'alice', 'APPROVED');
      t.sim.seedRelease(R, { tag: '1.2.2', draft: true, body: 'n' });
      const relayed = await startRelay(
        /^(POST \/repos\/acme\/app\/git\/refs|PATCH \/repos\/acme\/app\/releases\/\d+|PUT \/repos\/acme\/app\/pulls\/\d+\/merge)$/,
        spoil,
        1,
      );
      const forge = forgeFor(t.sim, { baseUrl: relayed.url, readBackAttempts: 3 });
      expect((await forge.createTag(REPO, '1.2.3', t.main)).outcome).toBe('created');
      t.sim.setRef(R, 'refs/tags/1.2.2', t.main);
      expect((await forge.publishRelease(REPO, '1.2.2', { makeLatest: 'true' })).outcome).toBe('published');
      await forge.mergePullRequest(REPO, n, { expectedHeadSha: head });
      expect(t.sim.refSha(R, 'refs/tags/1.2.3')).toBe(t.main);
      expect(t.sim.releases(R)).toMatchObject([{ tag: '1.2.2', draft: false }]);
      expect(t.sim.commitInfo(R, t.sim.branchSha(R, 'main')!)?.parents).toEqual([t.main, head]);
      // Each write sent once: its effect was found, not re-sent.
      for (const w of [/^POST .*git\/refs$/, /^PATCH .*releases/, /^PUT .*merge$/])
        expect(relayed.log.filter((l) => w.test(l))).toHaveLength(1);
    });

    it(`the finalize commit (blob, tree, commit) × ${fault}`, async () => {
      const relayed = await startRelay(/^POST \/repos\/acme\/app\/git\/(blobs|trees|commits)$/, spoil, 1);
      const forge = forgeFor(t.sim, { baseUrl: relayed.url, readBackAttempts: 3 });
      // Before: the content-addressed objects were never re-sent, and the finalize failed.
      const r = await forge.commitFiles(REPO, {
        branch: 'main',
        parentSha: t.main,
        message: 'chore: 1.2.3',
        files: [{ path: 'CHANGELOG.md', content: '# Changelog\n\n## [1.2.3]\n' }],
      });
      expect(t.sim.branchSha(R, 'main')).toBe(r.commitSha);
      expect(t.sim.commitInfo(R, r.commitSha)?.parents).toEqual([t.main]);
      expect(t.sim.readFile(R, 'main', 'CHANGELOG.md')).toBe('# Changelog\n\n## [1.2.3]\n');
    });

    it(`abandon's deletes (draft release, tag) × ${fault}`, async () => {
      t.sim.setRef(R, 'refs/tags/1.2.3', t.main);
      t.sim.seedRelease(R, { tag: '1.2.3', draft: true, body: 'n' });
      const relayed = await startRelay(/^DELETE /, spoil, 1);
      const forge = forgeFor(t.sim, { baseUrl: relayed.url, readBackAttempts: 3 });
      const once = async <T>(f: () => Promise<T>) => f().catch(() => f());
      // A DELETE is idempotent: a lost answer may fail the step; the re-run finds it done.
      expect((await once(() => forge.deleteDraftRelease(REPO, '1.2.3'))).outcome).toMatch(/deleted|absent/);
      expect((await once(() => forge.deleteTagWithoutRelease(REPO, '1.2.3'))).outcome).toMatch(
        /deleted|absent/,
      );
      expect(t.sim.releases(R)).toEqual([]);
      expect(t.sim.refSha(R, 'refs/tags/1.2.3')).toBeUndefined();
    });
  }
});

it('a write that fails without an answer says it may have been applied, and that a re-run resumes', async () => {
  t.sim.setRef(R, 'refs/tags/1.2.3', t.main);
  t.sim.seedRelease(R, { tag: '1.2.3', draft: true, body: 'n' });
  const relayed = await startRelay(/^DELETE \/repos\/acme\/app\/releases\/\d+$/, SPOILS[2]![1], 1);
  const forge = forgeFor(t.sim, { baseUrl: relayed.url, readBackAttempts: 3 });
  const e = await rejectionOf(forge.deleteDraftRelease(REPO, '1.2.3'), GitHubError);
  expect(e.code).toBe('UNAVAILABLE');
  expect(e.message).toBe('deleting the draft release 1.2.3 failed: GitHub answered 502: <html>502</html>');
  // Before: "GitHub did not answer usefully; retry later", silent about the write.
  expect(e.advice).toBe(
    'GitHub may have applied this write before its answer was lost; re-run relkit: it looks for what is already there before writing again',
  );
  expect((await forge.deleteDraftRelease(REPO, '1.2.3')).outcome).toBe('absent');
});
