import { describe, expect, it } from 'vitest';
import { GitHubError } from './errors.js';
import { forgeFor, S, SMOKE, useSimulator } from './__tests__/support.js';
import { rejectionOf } from '@relkit/testkit';

const t = useSimulator();

const rejection = (p: Promise<unknown>) => rejectionOf(p, GitHubError);

const payload = {
  tag: '1.2.3',
  release_kind: 'final',
  event_type: 'smoke-test-trigger',
  source_repo: 'acme/app',
  source_workflow: 'promote',
  source_run_id: '42',
  source_run_url: 'https://github.com/acme/app/actions/runs/42',
  source_sha: 'abc',
};

describe('repository_dispatch and the run it started', () => {
  it('sends the correlation id in client_payload and binds to the run whose title carries it', async () => {
    t.sim.onDispatch(S, (event) => ({
      displayTitle: `smoke ${String(event.clientPayload.correlation_id)}`,
      path: '.github/workflows/repository-dispatch.yml',
    }));
    const forge = forgeFor(t.sim);
    const receipt = await forge.dispatch(SMOKE, {
      eventType: 'smoke-test-trigger',
      correlationId: 'acme/app:42:1.2.3',
      payload,
    });
    expect(t.sim.dispatches(S)).toEqual([
      expect.objectContaining({
        eventType: 'smoke-test-trigger',
        clientPayload: { ...payload, correlation_id: 'acme/app:42:1.2.3' },
      }),
    ]);
    expect(receipt).toMatchObject({
      eventType: 'smoke-test-trigger',
      correlationId: 'acme/app:42:1.2.3',
      baselineRunId: 0,
    });
    const run = await forge.findDispatchedRun(receipt, {
      workflowPath: '.github/workflows/repository-dispatch.yml',
    });
    expect(run).toMatchObject({
      boundBy: 'correlation-id',
      displayTitle: 'smoke acme/app:42:1.2.3',
      status: 'queued',
    });
  });

  it('#1477: never matches a stale run from before the dispatch, even one inside the clock-skew window', async () => {
    const stale = t.sim.addWorkflowRun(S, {
      displayTitle: 'Smoke test',
      status: 'completed',
      conclusion: 'success',
      createdAt: new Date(Date.now() - 20_000).toISOString(),
    });
    let started: number | undefined;
    const forge = forgeFor(t.sim);
    const receipt = await forge.dispatch(SMOKE, {
      eventType: 'smoke-test-trigger',
      correlationId: 'c-1',
      payload: { tag: '1.2.3' },
    });
    expect(receipt.baselineRunId).toBe(stale);
    // The receiver starts its run a little later, without the correlation id in its title.
    setTimeout(() => {
      started = t.sim.addWorkflowRun(S, { displayTitle: 'Smoke test' });
    }, 30);
    const run = await forge.findDispatchedRun(receipt, { timeoutMs: 5000 });
    expect(run.id).not.toBe(stale);
    expect(run).toMatchObject({ id: started, boundBy: 'baseline' });
  });

  it('prefers the run carrying the correlation id over a concurrent run of another dispatch', async () => {
    const forge = forgeFor(t.sim);
    const receipt = await forge.dispatch(SMOKE, { eventType: 'smoke-test-trigger', correlationId: 'mine' });
    t.sim.addWorkflowRun(S, { displayTitle: 'smoke theirs' });
    const mine = t.sim.addWorkflowRun(S, { displayTitle: 'smoke mine' });
    t.sim.addWorkflowRun(S, { displayTitle: 'smoke theirs-2' });
    expect(await forge.findDispatchedRun(receipt)).toMatchObject({ id: mine, boundBy: 'correlation-id' });
  });

  it('refuses to guess between several new runs without the correlation id', async () => {
    const forge = forgeFor(t.sim);
    const receipt = await forge.dispatch(SMOKE, { eventType: 'smoke-test-trigger', correlationId: 'c-2' });
    t.sim.addWorkflowRun(S, { displayTitle: 'Smoke test' });
    t.sim.addWorkflowRun(S, { displayTitle: 'Smoke test' });
    const e = await rejection(forge.findDispatchedRun(receipt, { timeoutMs: 50 }));
    expect(e.code).toBe('AMBIGUOUS');
    expect(e.advice).toMatch(/run-name/);
  });

  it('with requireCorrelationId, a lone untitled run is not enough', async () => {
    const forge = forgeFor(t.sim);
    const receipt = await forge.dispatch(SMOKE, { eventType: 'smoke-test-trigger', correlationId: 'c-3' });
    t.sim.addWorkflowRun(S, { displayTitle: 'Smoke test' });
    const e = await rejection(
      forge.findDispatchedRun(receipt, { timeoutMs: 50, requireCorrelationId: true }),
    );
    expect(e.code).toBe('TIMEOUT');
  });

  it('times out when no run picks the dispatch up', async () => {
    const forge = forgeFor(t.sim);
    const receipt = await forge.dispatch(SMOKE, { eventType: 'smoke-test-trigger', correlationId: 'c-4' });
    const e = await rejection(forge.findDispatchedRun(receipt, { timeoutMs: 50 }));
    expect(e.code).toBe('TIMEOUT');
    expect(e.advice).toMatch(/default branch/);
  });

  it('refuses more than 10 client_payload fields before sending anything', async () => {
    const many = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i]));
    const e = await rejection(
      forgeFor(t.sim).dispatch(SMOKE, { eventType: 'x', correlationId: 'c', payload: many }),
    );
    expect(e.code).toBe('INVALID_INPUT');
    expect(t.sim.requests).toHaveLength(0);
  });
});
