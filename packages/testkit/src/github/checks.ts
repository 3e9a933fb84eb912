// Checks on a commit: check runs (latest per name unless filter=all) and commit statuses.
import * as o from './objects.js';
import { paginator, type Handler, type Resource } from './handler.js';
import { err, type SimState } from './state.js';

export function checksResource(s: SimState): Resource<'addCheckRun' | 'updateCheckRun' | 'addStatus'> {
  const { base, now, id, repo, resolve, userObject } = s;
  const paginate = paginator(base);

  const handlers: Record<string, Handler> = {
    'checks/list-for-ref': (c) => {
      const sha = resolve(c.repo, c.op.params.ref ?? '');
      if (!sha) throw err(422, `No commit found for SHA: ${c.op.params.ref}`);
      let runs = c.repo.checkRuns.filter((r) => r.sha === sha).sort((a, b) => b.id - a.id);
      const name = c.query.get('check_name');
      if (name) runs = runs.filter((r) => r.name === name);
      const status = c.query.get('status');
      if (status) runs = runs.filter((r) => r.status === status);
      if ((c.query.get('filter') ?? 'latest') === 'latest') {
        const seen = new Set<string>();
        runs = runs.filter((r) => !seen.has(r.name) && seen.add(r.name));
      }
      const appObject = o.app(base, userObject('github'));
      const total = runs.length;
      return paginate(
        c,
        runs.map((r) => o.checkRun(base, c.repo.facts, r, appObject)),
        (page) => ({ total_count: total, check_runs: page }),
      );
    },
    'repos/list-commit-statuses-for-ref': (c) => {
      const sha = resolve(c.repo, c.op.params.ref ?? '');
      if (!sha) throw err(404, 'Not Found');
      const list = c.repo.statuses.filter((s) => s.sha === sha).sort((a, b) => b.id - a.id);
      return paginate(
        c,
        list.map((s) => o.statusObject(base, c.repo.facts, s, userObject('ci-bot'))),
      );
    },
  };
  const scenario: Resource<'addCheckRun' | 'updateCheckRun' | 'addStatus'>['scenario'] = {
    addCheckRun(fullName, sha, c) {
      const r = repo(fullName);
      const status = c.status ?? 'completed';
      const started = c.startedAt ?? now();
      const run = {
        id: id(),
        sha,
        name: c.name,
        status,
        conclusion: status === 'completed' ? (c.conclusion ?? 'success') : null,
        startedAt: started,
        completedAt: status === 'completed' ? now() : null,
      };
      r.checkRuns.push(run);
      return run.id;
    },
    updateCheckRun(fullName, runId, change) {
      const run = repo(fullName).checkRuns.find((x) => x.id === runId);
      if (!run) throw new Error(`simulator: no check run ${runId}`);
      if (change.status) run.status = change.status;
      if (change.conclusion !== undefined) run.conclusion = change.conclusion;
      if (run.status === 'completed') {
        run.conclusion ??= 'success';
        run.completedAt ??= now();
      } else {
        run.conclusion = null;
        run.completedAt = null;
      }
    },
    addStatus(fullName, sha, s) {
      repo(fullName).statuses.push({
        id: id(),
        sha,
        context: s.context,
        state: s.state,
        createdAt: s.createdAt ?? now(),
        description: null,
      });
    },
  };
  return { handlers, scenario };
}
