// Checks on a commit: check runs (latest per name unless filter=all) and commit statuses.
import * as o from './objects.js';
import { paginator, type Handler, type Resource } from './handler.js';
import { err, type SimState } from './state.js';

const ACTIONS_APP = { id: 15368, slug: 'github-actions', name: 'GitHub Actions' };

export function checksResource(s: SimState): Resource<'addCheckRun' | 'updateCheckRun' | 'addStatus'> {
  const { base, now, id, repo, resolve, userObject } = s;
  const paginate = paginator(base);
  const workflowRuns = new Map<string, number>();

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
        // GitHub's "latest" is per check identity: many apps and workflows may report runs of the
        // same name on one commit (docs: "Using the REST API to interact with checks"; the
        // Checks API "check suites" are per app and per workflow run).
        const key = (r: (typeof runs)[number]) =>
          s.behaviours.latestPerCheckIdentity ? `${r.app.id}\n${r.workflowRunId}\n${r.name}` : r.name;
        const seen = new Set<string>();
        runs = runs.filter((r) => !seen.has(key(r)) && seen.add(key(r)));
      }
      const total = runs.length;
      return paginate(
        c,
        runs.map((r) => o.checkRun(base, c.repo.facts, r, o.app(base, userObject('github'), r.app))),
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
      // Runs of one workflow share its workflow run (a re-run keeps the run id); a run without a
      // workflow gets one of its own, so unnamed runs of the same name stay apart by id only.
      const workflow = c.workflow ?? c.name;
      const key = `${fullName}\n${workflow}\n${sha}`;
      if (!workflowRuns.has(key)) workflowRuns.set(key, id());
      const run = {
        app: c.app ?? ACTIONS_APP,
        workflowRunId: workflowRuns.get(key)!,
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
