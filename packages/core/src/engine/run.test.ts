// The one executor on its own: a toy plan of "set" steps over an in-memory world, so each rule
// (gates, lock, done steps, alreadyDone, isDone, best effort, failure stops the run) is seen once.
import { describe, expect, it } from 'vitest';
import { ReleaseError } from '../errors.js';
import type { Gate } from './gates.js';
import type { ExecutionEvent, Plan, PlannedStep, StepHandlers } from './plan.js';
import { runPlan } from './run.js';
import { memoryLock } from './__tests__/memory-lock.js';

type Toy = { readonly kind: 'set'; readonly key: string; readonly value: string };

function world() {
  const state = new Map<string, string>();
  const lockCalls: string[] = [];
  let held: { holder: string; since: string } | null = null;
  const ports = {
    forge: memoryLock(
      () => held,
      (l) => (held = l),
      (line) => lockCalls.push(line),
    ),
    clock: { now: () => new Date('2026-11-27T00:00:00Z') },
  };
  return {
    state,
    lockCalls,
    ports,
    hold: (h: string) => (held = { holder: h, since: '2026-01-01T00:00:00Z' }),
  };
}

const step = (key: string, value: string, flags: Partial<PlannedStep<Toy>> = {}): PlannedStep<Toy> => ({
  id: `set ${key}`,
  step: { kind: 'set', key, value },
  irreversible: false,
  bestEffort: false,
  done: false,
  description: `set ${key}=${value}`,
  ...flags,
});

const plan = (steps: PlannedStep<Toy>[], gates: Gate[] = []): Plan<Toy> => ({
  kind: 'toy',
  version: '1.2.3',
  gates,
  verdict: gates.some((g) => g.status === 'fail') ? 'fail' : 'pass',
  steps,
});

/** Promote style: no isDone; act finds "already there" itself. */
function actOnly(state: Map<string, string>): StepHandlers<Toy> {
  return {
    set: {
      async act(s) {
        if (s.value === 'boom') throw new ReleaseError('PLAN_FAILED', `cannot set ${s.key}`);
        if (state.get(s.key) === s.value)
          return { alreadyDone: true, after: s.value, message: 'already there' };
        const before = state.get(s.key);
        state.set(s.key, s.value);
        return { before, after: s.value, message: `${s.key} → ${s.value}` };
      },
    },
  };
}

describe('runPlan', () => {
  it('refuses a plan whose gates do not pass, naming them (details.gates), before taking the lock', async () => {
    const w = world();
    const bad: Gate = {
      id: 'x',
      title: 'the x gate',
      status: 'fail',
      reason: 'no x',
      evidence: [],
      subject: 'img',
    };
    const err = await runPlan(plan([step('a', '1')], [bad]), actOnly(w.state), w.ports).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'GATE_NOT_MET',
      message: 'toy 1.2.3 is blocked: the x gate [img]: no x',
      details: { gates: [bad] },
    });
    expect(w.lockCalls).toEqual([]);
  });

  it('runs under the lock, skips steps the plan saw done or act found done, and journals each', async () => {
    const w = world();
    w.state.set('b', '2');
    const events: ExecutionEvent<Toy>[] = [];
    const r = await runPlan(
      plan([step('a', '1'), step('b', '2'), step('c', '3', { done: true })]),
      actOnly(w.state),
      w.ports,
      { onEvent: (e) => events.push(e), holder: 'me' },
    );
    expect(r.status).toBe('succeeded');
    expect(r.journal.map((j) => [j.id, j.status, j.message])).toEqual([
      ['set a', 'done', 'a → 1'],
      ['set b', 'skipped', 'already there'],
      ['set c', 'skipped', 'already done'],
    ]);
    expect(r.journal[0]).toEqual({
      id: 'set a',
      kind: 'set',
      status: 'done',
      before: undefined,
      after: '1',
      message: 'a → 1',
      at: '2026-11-27T00:00:00.000Z',
    });
    expect(w.state.has('c')).toBe(false);
    expect(events.map((e) => e.type)).toEqual([
      'lock-acquired',
      'step-started',
      'step-succeeded',
      'step-started',
      'step-skipped',
      'step-started',
      'step-skipped',
      'lock-released',
    ]);
    expect(w.lockCalls).toEqual(['acquire release me', 'release release']);
  });

  it('asks isDone whatever the plan saw (publish style), and records what it found', async () => {
    const w = world();
    w.state.set('a', '1');
    const asked: string[] = [];
    const handlers: StepHandlers<Toy> = {
      set: {
        async isDone(s) {
          asked.push(s.key);
          return { done: w.state.get(s.key) === s.value, state: w.state.get(s.key) ?? 'missing' };
        },
        act: actOnly(w.state).set.act,
      },
    };
    const r = await runPlan(plan([step('a', '1'), step('b', '2', { done: true })]), handlers, w.ports);
    expect(asked).toEqual(['a', 'b']);
    expect(r.journal.map((j) => [j.status, j.after])).toEqual([
      ['skipped', '1'],
      ['done', '2'],
    ]);
  });

  it('goes on after a failed best-effort step (a warning) and stops at any other failure', async () => {
    const w = world();
    const r = await runPlan(
      plan([step('a', 'boom', { bestEffort: true }), step('b', '2'), step('c', 'boom'), step('d', '4')]),
      actOnly(w.state),
      w.ports,
    );
    expect(r.status).toBe('failed');
    expect(r.error).toEqual({ code: 'PLAN_FAILED', message: 'cannot set c' });
    expect(r.journal.map((j) => [j.id, j.status])).toEqual([
      ['set a', 'warning'],
      ['set b', 'done'],
      ['set c', 'failed'],
    ]);
    expect(r.journal[2]?.message).toBe('cannot set c (PLAN_FAILED)');
    expect(w.lockCalls.at(-1)).toBe('release release');
  });

  it('names the holder when the lock is taken, and runs without it when the caller holds it', async () => {
    const w = world();
    w.hold('ci run 7');
    await expect(runPlan(plan([step('a', '1')]), actOnly(w.state), w.ports)).rejects.toMatchObject({
      code: 'LOCK_HELD',
      details: { holder: 'ci run 7' },
    });
    const callersLock = {
      holder: 'ci run 7',
      assertHeld() {},
      async prepareRelease() {},
      async release() {},
    };
    const r = await runPlan(plan([step('a', '1')]), actOnly(w.state), w.ports, { lock: callersLock });
    expect(r.status).toBe('succeeded');
  });

  it('stops before the next write once the lease is lost, and says so', async () => {
    const w = world();
    let lost = false;
    const lock = {
      holder: 'me',
      assertHeld() {
        if (lost) throw new ReleaseError('LOCK_LOST' as never, 'the release lock was lost');
      },
      async prepareRelease() {},
      async release() {},
    };
    const handlers: StepHandlers<Toy> = {
      set: {
        async act(s) {
          w.state.set(s.key, s.value);
          lost = true; // a renewal was refused while this step ran
          return { message: `${s.key} → ${s.value}` };
        },
      },
    };
    const r = await runPlan(plan([step('a', '1'), step('b', '2')]), handlers, w.ports, { lock });
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('LOCK_LOST');
    expect(w.state.has('b')).toBe(false);
  });
});
