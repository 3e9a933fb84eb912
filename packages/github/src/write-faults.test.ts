// The write × fault matrix (issue 17): every GitHub write publish and promote make, under
// "applied, then 5xx", "applied, then dropped", a 429 secondary limit and a 403 secondary limit
// without Retry-After. Each run converges with exactly one effect, or stops with a clear error
// and nothing duplicated. Fast retry settings keep it short.
import type { SimFault } from '@relkit/testkit';
import { describe, expect, it } from 'vitest';
import { forgeFor, R, REPO, S, SMOKE, useSimulator } from './__tests__/support.js';

const t = useSimulator();
const FAULTS: SimFault['kind'][] = [
  'applied-then-5xx',
  'applied-then-dropped',
  'secondary-429',
  'secondary-403',
];

interface Write {
  readonly name: string;
  readonly operation: string;
  run(): Promise<unknown>;
  /** Exactly one effect. */
  check(): void;
}

function writes(): Write[] {
  const forge = () => forgeFor(t.sim, { readBackAttempts: 3 });
  const pr = () => {
    const head = t.sim.commit(R, 'release/1.2.3', { 'v.txt': '1.2.3' });
    const n = t.sim.openPull(R, { head: 'release/1.2.3', base: 'main' });
    t.sim.addCheckRun(R, head, { name: 'ci' });
    t.sim.review(R, n, 'alice', 'APPROVED');
    return { head, n };
  };
  return [
    {
      name: 'lock commit',
      operation: 'POST /repos/{owner}/{repo}/git/commits',
      run: () => forge().writeLock(REPO, 'release', undefined, '{"holder":"run-1"}'),
      check: () => expect(t.sim.refSha(R, 'refs/relkit-locks/release')).toBeDefined(),
    },
    {
      name: 'lock ref',
      operation: 'POST /repos/{owner}/{repo}/git/refs',
      run: async () =>
        expect((await forge().writeLock(REPO, 'release', undefined, '{"holder":"run-1"}')).written).toBe(
          true,
        ),
      check: () => expect(t.sim.refSha(R, 'refs/relkit-locks/release')).toBeDefined(),
    },
    {
      name: 'lock release',
      operation: 'PATCH /repos/{owner}/{repo}/git/refs/{ref}',
      run: async () => {
        const f = forge();
        const r = await f.writeLock(REPO, 'release', undefined, '{"holder":"run-1"}');
        if (!r.written) throw new Error('lock not taken');
        expect((await f.writeLock(REPO, 'release', r.sha, '{"status":"released"}')).written).toBe(true);
      },
      check: () =>
        expect(t.sim.commitInfo(R, t.sim.refSha(R, 'refs/relkit-locks/release')!)?.message).toBe(
          'relkit-lock\n\n{"status":"released"}',
        ),
    },
    {
      name: 'CHANGELOG commit',
      operation: 'PUT /repos/{owner}/{repo}/contents/{path}',
      run: () =>
        forge().commitFile(REPO, {
          branch: 'main',
          path: 'CHANGELOG.md',
          content: 'one\n',
          message: 'chore: 1.2.3',
        }),
      check: () => {
        expect(t.sim.readFile(R, 'main', 'CHANGELOG.md')).toBe('one\n');
        expect(t.sim.commitInfo(R, t.sim.branchSha(R, 'main')!)?.parents).toEqual([t.main]);
      },
    },
    {
      name: 'tag',
      operation: 'POST /repos/{owner}/{repo}/git/refs',
      run: () => forge().createTag(REPO, '1.2.3', t.main),
      check: () => expect(t.sim.refSha(R, 'refs/tags/1.2.3')).toBe(t.main),
    },
    {
      name: 'draft release',
      operation: 'POST /repos/{owner}/{repo}/releases',
      run: async () => {
        t.sim.setRef(R, 'refs/tags/1.2.3', t.main);
        await forge().createDraftRelease(REPO, { tag: '1.2.3', notes: 'notes' });
      },
      check: () => expect(t.sim.releases(R).filter((r) => r.tag === '1.2.3')).toHaveLength(1),
    },
    {
      name: 'publish release',
      operation: 'PATCH /repos/{owner}/{repo}/releases/{release_id}',
      run: async () => {
        t.sim.setRef(R, 'refs/tags/1.2.3', t.main);
        t.sim.seedRelease(R, { tag: '1.2.3', draft: true, body: 'n' });
        await forge().publishRelease(REPO, '1.2.3', { makeLatest: 'true' });
      },
      check: () => expect(t.sim.releases(R)).toMatchObject([{ tag: '1.2.3', draft: false }]),
    },
    {
      name: 'merge',
      operation: 'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge',
      run: async () => {
        const { head, n } = pr();
        await forge().mergePullRequest(REPO, n, { expectedHeadSha: head });
      },
      check: () => {
        const main = t.sim.branchSha(R, 'main')!;
        expect(t.sim.commitInfo(R, main)?.parents).toHaveLength(2);
        expect(t.sim.commitInfo(R, main)?.parents[0]).toBe(t.main);
      },
    },
    {
      name: 'smoke dispatch',
      operation: 'POST /repos/{owner}/{repo}/dispatches',
      run: async () => {
        t.sim.onDispatch(S, (e) => ({ displayTitle: String(e.clientPayload.correlation_id) }));
        await forgeFor(t.sim, { readBackAttempts: 3 }).dispatch(SMOKE, {
          eventType: 'smoke',
          correlationId: 'c-1',
        });
      },
      check: () => expect(t.sim.dispatches(S)).toHaveLength(1),
    },
  ];
}

describe('every write × every fault converges with exactly one effect', () => {
  for (const w of writes())
    for (const kind of FAULTS)
      it(`${w.name} × ${kind}`, async () => {
        const write = writes().find((x) => x.name === w.name)!;
        t.sim.injectFault({ operation: write.operation, kind });
        await write.run();
        write.check();
        // The fault really hit the write (502, dropped = status 0, or the secondary limit).
        const want = {
          'applied-then-5xx': 502,
          'applied-then-dropped': 0,
          'secondary-429': 429,
          'secondary-403': 403,
        }[kind];
        expect(t.sim.requests.some((r) => r.operation === write.operation && r.status === want)).toBe(true);
      });
});
