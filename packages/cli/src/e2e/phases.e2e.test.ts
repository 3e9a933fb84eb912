// The phases of every release, past ones included, as `release-cli status` reports them on the
// release world before a promote, after it, and after a rollback (the real processes against the
// real registry, the OpenAPI-validated GitHub simulator and mock Sigstore).
import { afterEach, describe, expect, it } from 'vitest';
import { startReleaseWorld, type ReleaseWorld } from '@relkit/testkit';
import { expectExit, expectOutput, jsonOf, runCli } from './harness.js';

let world: ReleaseWorld | undefined;
afterEach(async () => {
  world?.github.assertNoViolations();
  await world?.stop();
  world = undefined;
});

interface Reading {
  readonly phase: string;
  readonly promoteInProgress: boolean;
  readonly actions: Record<string, { allowed: boolean; reason: string; rollForward?: boolean }>;
}

async function reading(w: ReleaseWorld, version: string): Promise<Reading & { code: number | null }> {
  const r = expectExit(await runCli(w, ['status', version, '--json']), 0);
  return { ...jsonOf<Reading>(r), code: r.code };
}

async function phases(w: ReleaseWorld) {
  const [current, previous] = await Promise.all([reading(w, w.version), reading(w, w.previous)]);
  return { current, previous };
}

describe('release-cli status: phases before and after promote and rollback', { timeout: 120_000 }, () => {
  it('promoted, superseded, rolled-back — and never "promote interrupted"', async () => {
    const w = (world = await startReleaseWorld());

    const before = await phases(w);
    expect(before.previous).toMatchObject({ phase: 'promoted', promoteInProgress: false, code: 0 });
    expect(before.current).toMatchObject({ phase: 'smoke-passed', promoteInProgress: false, code: 0 });
    expect(before.current.actions.promote).toMatchObject({ allowed: true, rollForward: false });

    expectExit(await runCli(w, ['promote', w.version, '--yes']), 0);
    const promoted = await phases(w);
    expect(promoted.current).toMatchObject({ phase: 'promoted', promoteInProgress: false, code: 0 });
    expect(promoted.previous).toMatchObject({ phase: 'superseded', promoteInProgress: false, code: 0 });
    expect(promoted.previous.actions.rollbackTo).toMatchObject({ allowed: true });
    expect(promoted.current.actions.promote).toMatchObject({ allowed: false });

    expectExit(await runCli(w, ['rollback', '--to', w.previous, '--yes']), 0);
    const rolledBack = await phases(w);
    expect(rolledBack.current).toMatchObject({ phase: 'rolled-back', promoteInProgress: false, code: 0 });
    expect(rolledBack.current.actions.promote).toMatchObject({ allowed: true, rollForward: true });
    expect(rolledBack.previous).toMatchObject({ phase: 'promoted', promoteInProgress: false, code: 0 });

    const text = await runCli(w, ['status', w.version]);
    expectOutput(text, 'stdout').toMatch(
      new RegExp(
        `^release ${w.version.replace(/\./g, '\\.')}  phase: rolled-back  ready to roll forward$`,
        'm',
      ),
    );
    expectOutput(text, 'stdout').toContain('promote (roll forward): roll forward: latest goes back to');
    expectOutput(text, 'stdout').not.toContain('interrupted');
  });
});
