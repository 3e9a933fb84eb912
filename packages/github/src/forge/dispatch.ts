// repository_dispatch, and binding to the workflow run it started (never "the newest run", #1477).
import { GitHubError } from '../errors.js';
import type { RepositoryName } from '../repository.js';
import type { DispatchInput, DispatchReceipt, WorkflowRunInfo } from '../types.js';
import { sleep, writeOnce, type ForgeContext } from './context.js';

// Runs a dispatch starts may carry a created_at a little before GitHub's Date header (#1477).
const DISPATCH_BACKDATE_MS = 60_000;

/**
 * Sends a repository_dispatch carrying the correlation id in client_payload, and records what
 * is needed to find the run it starts and nothing older: GitHub's clock at dispatch time and
 * the newest existing repository_dispatch run (#1477).
 */
export async function dispatch(
  ctx: ForgeContext,
  repo: RepositoryName,
  input: DispatchInput,
): Promise<DispatchReceipt> {
  const payload = { ...(input.payload ?? {}), correlation_id: input.correlationId };
  if (Object.keys(payload).length > 10)
    throw new GitHubError(
      'INVALID_INPUT',
      `client_payload has ${Object.keys(payload).length} fields; GitHub accepts at most 10 (correlation_id included)`,
    );
  if (!input.eventType || input.eventType.length > 100)
    throw new GitHubError('INVALID_INPUT', 'eventType must be 1–100 characters');
  const name = `${repo.owner}/${repo.repo}`;
  const baseline = await listDispatchRuns(ctx, repo, 1);
  const baselineRunId = baseline.reduce((m, r) => Math.max(m, r.id), 0);
  const doing = `dispatching ${input.eventType} to ${name}`;
  const sentAt = new Date();
  // POST /dispatches leaves no trace but the run it starts: after an ambiguous failure, look for
  // a run carrying the correlation id before dispatching again (a second dispatch, a second run).
  const date = await writeOnce(
    ctx,
    doing,
    async () => {
      const res = await ctx.octokit.rest.repos.createDispatchEvent({
        ...repo,
        event_type: input.eventType,
        client_payload: payload,
      });
      return res.headers.date ? new Date(res.headers.date) : new Date();
    },
    async () => {
      for (let i = 0; i < ctx.readBackAttempts; i++) {
        const runs = await listDispatchRuns(ctx, repo, 100);
        const fresh = runs.filter(
          (r) => r.id > baselineRunId && Date.parse(r.created_at) >= sentAt.getTime() - DISPATCH_BACKDATE_MS,
        );
        // A workflow without the correlation id in its run-name starts an untagged run: exactly one
        // new run is taken as this dispatch's (findDispatchedRun's own 'baseline' rule), else a
        // second dispatch would start a second smoke run, and binding would then be AMBIGUOUS.
        const tagged = fresh.filter((r) =>
          `${r.display_title}\n${r.name ?? ''}`.includes(input.correlationId),
        );
        const run = tagged[0] ?? (fresh.length === 1 ? fresh[0] : undefined);
        if (run) return new Date(Math.min(Date.parse(run.created_at), sentAt.getTime()));
        await sleep(ctx.pollMs);
      }
      return undefined;
    },
  ).catch((e: unknown) => {
    throw ctx.fail(e, doing, {
      // A token answers 404 for a repository it cannot see; GITHUB_TOKEN sees only its own.
      404: cannotSee(repo),
      403: `the token cannot dispatch to ${name}: it needs contents: write there`,
    });
  });
  return {
    repository: repo,
    eventType: input.eventType,
    correlationId: input.correlationId,
    dispatchedAt: date.toISOString(),
    baselineRunId,
  };
}

/**
 * Finds the workflow run a dispatch started: a repository_dispatch run newer than the baseline
 * and created after the dispatch (minus 60 s of clock skew). A run whose title carries the
 * correlation id wins (set `run-name: ${{ github.event.client_payload.correlation_id }}`);
 * otherwise exactly one new run must exist. Never "the newest run" (#1477).
 */
export async function findDispatchedRun(
  ctx: ForgeContext,
  receipt: DispatchReceipt,
  options: { workflowPath?: string; timeoutMs?: number; requireCorrelationId?: boolean } = {},
): Promise<WorkflowRunInfo> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const since = Date.parse(receipt.dispatchedAt) - DISPATCH_BACKDATE_MS;
  let candidates: Awaited<ReturnType<typeof listDispatchRuns>>;
  for (;;) {
    const runs = await listDispatchRuns(ctx, receipt.repository, 100);
    candidates = runs.filter(
      (r) =>
        r.id > receipt.baselineRunId &&
        Date.parse(r.created_at) >= since &&
        (!options.workflowPath ||
          r.path === options.workflowPath ||
          r.path.startsWith(`${options.workflowPath}@`)),
    );
    const tagged = candidates.find((r) =>
      `${r.display_title}\n${r.name ?? ''}`.includes(receipt.correlationId),
    );
    if (tagged) return toRun(tagged, 'correlation-id');
    if (candidates.length === 1 && !options.requireCorrelationId) return toRun(candidates[0]!, 'baseline');
    if (Date.now() >= deadline) break;
    await sleep(ctx.pollMs);
  }
  const name = `${receipt.repository.owner}/${receipt.repository.repo}`;
  if (candidates.length > 1)
    throw new GitHubError(
      'AMBIGUOUS',
      `${candidates.length} runs started in ${name} after the dispatch and none carries correlation id ${receipt.correlationId}`,
      {
        advice:
          'give the receiving workflow `run-name: ${{ github.event.client_payload.correlation_id }}` so relkit can bind to its run',
      },
    );
  throw new GitHubError(
    'TIMEOUT',
    `no workflow run in ${name} picked up the ${receipt.eventType} dispatch (correlation id ${receipt.correlationId})`,
    {
      advice:
        'check that the workflow listens to repository_dispatch with this type and exists on the default branch',
    },
  );
}

async function listDispatchRuns(ctx: ForgeContext, repo: RepositoryName, perPage: number) {
  const { data } = await ctx.call(
    `listing workflow runs of ${repo.owner}/${repo.repo}`,
    () =>
      ctx.octokit.rest.actions.listWorkflowRunsForRepo({
        ...repo,
        event: 'repository_dispatch',
        per_page: perPage,
      }),
    { 404: cannotSee(repo) },
  );
  return data.workflow_runs;
}

function toRun(
  r: {
    id: number;
    html_url: string;
    path: string;
    display_title: string;
    status: string | null;
    conclusion: string | null;
    created_at: string;
  },
  boundBy: WorkflowRunInfo['boundBy'],
): WorkflowRunInfo {
  return {
    id: r.id,
    url: r.html_url,
    workflowPath: r.path,
    displayTitle: r.display_title,
    status: r.status,
    conclusion: r.conclusion,
    createdAt: r.created_at,
    boundBy,
  };
}

/** A 404 from a repository: GitHub's answer when the token cannot see it (GITHUB_TOKEN: any other). */
function cannotSee(repo: RepositoryName): string {
  const name = `${repo.owner}/${repo.repo}`;
  return `check the name; GitHub answers 404 when the token cannot see ${name}, and GITHUB_TOKEN reaches only the repository its workflow runs in: give relkit a token (e.g. a GitHub App installation token) with contents: write on ${name}`;
}
