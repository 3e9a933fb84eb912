// repository_dispatch and the workflow runs it starts (a handler per repository seeds the run).
import * as o from './objects.js';
import { paginator, requirePush, type Handler, type Resource } from './handler.js';
import type { Repo, Run, SimState } from './state.js';
import type { SimDispatch, SimWorkflowRunSeed } from './types.js';

export function workflowsResource(
  s: SimState,
): Resource<'dispatches' | 'onDispatch' | 'addWorkflowRun' | 'setWorkflowRun'> {
  const { base, now, id, repo, userObject } = s;
  const paginate = paginator(base);
  const addRun = (r: Repo, seed: SimWorkflowRunSeed) => {
    const at = seed.createdAt ?? now();
    const runId = id() * 1000;
    const run: Run = {
      id: runId,
      runNumber: r.runs.length + 1,
      name: seed.name ?? 'Smoke test',
      displayTitle: seed.displayTitle ?? seed.name ?? 'Smoke test',
      event: seed.event ?? 'repository_dispatch',
      status: seed.status ?? 'queued',
      conclusion: seed.conclusion ?? null,
      headBranch: seed.headBranch ?? r.facts.defaultBranch,
      headSha: r.refs.get(`refs/heads/${r.facts.defaultBranch}`) ?? '0'.repeat(40),
      path: seed.path ?? '.github/workflows/repository-dispatch.yml',
      createdAt: at,
      updatedAt: at,
    };
    r.runs.push(run);
    return runId;
  };

  const handlers: Record<string, Handler> = {
    'repos/create-dispatch-event': (c) => {
      requirePush(c);
      const event: SimDispatch = {
        eventType: String(c.body.event_type),
        clientPayload: (c.body.client_payload ?? {}) as Record<string, unknown>,
        at: now(),
      };
      c.repo.dispatches.push(event);
      const seed = c.repo.dispatchHandler?.(event);
      if (seed) addRun(c.repo, { event: 'repository_dispatch', ...seed });
      return { status: 204 };
    },
    'actions/list-workflow-runs-for-repo': (c) => {
      let runs = [...c.repo.runs].sort((a, b) => b.id - a.id);
      const event = c.query.get('event');
      if (event) runs = runs.filter((r) => r.event === event);
      const status = c.query.get('status');
      if (status) runs = runs.filter((r) => r.status === status || r.conclusion === status);
      const branch = c.query.get('branch');
      if (branch) runs = runs.filter((r) => r.headBranch === branch);
      const created = c.query.get('created');
      if (created) runs = runs.filter((r) => matchesDate(r.createdAt, created));
      const total = runs.length;
      return paginate(
        c,
        runs.map((r) => o.workflowRun(base, c.repo.facts, r, userObject('relkit-release-app[bot]'))),
        (page) => ({ total_count: total, workflow_runs: page }),
      );
    },
  };
  const scenario: Resource<'dispatches' | 'onDispatch' | 'addWorkflowRun' | 'setWorkflowRun'>['scenario'] = {
    dispatches: (fullName) => [...repo(fullName).dispatches],
    onDispatch(fullName, handler) {
      repo(fullName).dispatchHandler = handler;
    },
    addWorkflowRun: (fullName, run) => addRun(repo(fullName), run),
    setWorkflowRun(fullName, runId, change) {
      const run = repo(fullName).runs.find((x) => x.id === runId);
      if (!run) throw new Error(`simulator: no workflow run ${runId}`);
      if (change.status !== undefined) run.status = change.status;
      if (change.conclusion !== undefined) run.conclusion = change.conclusion;
      run.updatedAt = now();
    },
  };
  return { handlers, scenario };
}

function matchesDate(at: string, filter: string): boolean {
  const t = Date.parse(at);
  const range = /^(.+)\.\.(.+)$/.exec(filter);
  if (range) return t >= Date.parse(range[1]!) && t <= Date.parse(range[2]!);
  const m = /^(>=|<=|>|<)?(.+)$/.exec(filter)!;
  const v = Date.parse(m[2]!);
  switch (m[1]) {
    case '>=':
      return t >= v;
    case '>':
      return t > v;
    case '<=':
      return t <= v;
    case '<':
      return t < v;
    default:
      return at.startsWith(m[2]!);
  }
}
