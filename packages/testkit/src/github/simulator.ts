// The GitHub API simulator: an in-memory GitHub behind a real HTTP server. Every request and
// response is checked against GitHub's OpenAPI description; the resources (repos.ts, releases.ts,
// pulls.ts, checks.ts, git.ts, contents.ts, workflows.ts, attestations.ts) answer the operations
// and seed state.
import http from 'node:http';
import type { Socket } from 'node:net';
import { attestationsResource } from './attestations.js';
import { checksResource } from './checks.js';
import { contentsResource } from './contents.js';
import { gitResource } from './git.js';
import type { Handler } from './handler.js';
import type { JsonObject } from './objects.js';
import { OpenApiValidator, type MatchedOperation } from './openapi.js';
import { packagesResource } from './packages.js';
import { pullsResource } from './pulls.js';
import { releasesResource } from './releases.js';
import { reposResource } from './repos.js';
import { createState, DOCS, HttpError, type SimToken } from './state.js';
import type { GitHubSimulator, GitHubSimulatorOptions, SimFault, SimRequest } from './types.js';
import { workflowsResource } from './workflows.js';

export type {
  SimBehaviours,
  SimFault,
  DispatchHandler,
  GitHubSimulator,
  GitHubSimulatorOptions,
  SimComment,
  SimDispatch,
  SimMergeState,
  SimPull,
  SimRelease,
  SimRequest,
  SimReviewState,
  SimWorkflowRunSeed,
} from './types.js';

// Statuses every endpoint can answer whether or not its OpenAPI entry lists them.
const UNIVERSAL_STATUSES = new Set([401, 403, 429, 500, 502, 503]);

// Compiling the schemas is the slow part of starting a simulator; they never change, so share them.
let sharedValidator: OpenApiValidator | undefined;

export async function startGitHubSimulator(options: GitHubSimulatorOptions = {}): Promise<GitHubSimulator> {
  const validator = (sharedValidator ??= new OpenApiValidator());
  const prefix = options.enterprise ? '/api/v3' : '';
  const graphqlPath = options.enterprise ? '/api/graphql' : '/graphql';
  const state = createState(options);
  const { base, repos, violations } = state;
  let asserted = 0;
  let rateLimited = { left: 0, resetSeconds: 1 };
  const requests: SimRequest[] = [];
  const sockets = new Set<Socket>();
  let requestSeq = 0;
  const pushToken = 'ghs_simPushToken000000000000000000000000';
  const readToken = 'ghp_simReadToken000000000000000000000000';
  const appToken = 'ghs_simAppToken0000000000000000000000000';
  const userToken = 'ghp_simUserToken000000000000000000000000';
  // pushToken is the release app's token as the simulator always served it (push reported
  // truthfully); appToken is the same App as GitHub reports it (push: false, #1).
  const tokens = new Map<string, SimToken>([
    [pushToken, { login: 'relkit-release-app[bot]', push: true, kind: 'user' }],
    [readToken, { login: 'octocat', push: false, kind: 'user' }],
    [appToken, { login: 'relkit-release-app[bot]', push: true, kind: 'app' }],
    [userToken, { login: 'release-manager', push: true, kind: 'user' }],
  ]);
  const faults: { operation: string; kind: SimFault['kind']; left: number }[] = [];
  let secondary = { left: 0, status: 403 as 403 | 429, retryAfterSeconds: undefined as number | undefined };

  const resources = {
    repos: reposResource(state),
    releases: releasesResource(state),
    pulls: pullsResource(state),
    checks: checksResource(state),
    git: gitResource(state),
    contents: contentsResource(state),
    workflows: workflowsResource(state),
    attestations: attestationsResource(state),
  };
  // The Packages API has no repository in its paths: routed on its own, answered asynchronously
  // (a package's versions may be a live registry's).
  const packages = packagesResource(state);
  const { reviewDecision } = resources.pulls;
  // Every REST operation the simulator answers, by operationId.
  const handlers: Record<string, Handler> = Object.assign(
    {},
    ...Object.values(resources).map((r) => r.handlers),
  ) as Record<string, Handler>;

  const graphql = (body: JsonObject, token: SimToken) => {
    const query = typeof body.query === 'string' ? body.query : '';
    const vars = (body.variables ?? {}) as Record<string, unknown>;
    if (
      !/pullRequest\s*\(\s*number:\s*\$number\s*\)\s*\{\s*reviewDecision\s*\}/.test(query) ||
      typeof vars.owner !== 'string' ||
      typeof vars.repo !== 'string' ||
      typeof vars.number !== 'number'
    ) {
      // GraphQL is outside the REST OpenAPI description: hold clients to the one query served.
      violations.push({
        kind: 'request',
        request: `POST ${graphqlPath}`,
        operation: 'graphql',
        problems: ['only the pull request reviewDecision query (owner, repo, number: Int) is served'],
      });
      return { errors: [{ message: 'The simulator answers only the pull request reviewDecision query' }] };
    }
    const r = repos.get(`${vars.owner}/${vars.repo}`.toLowerCase());
    const p = r?.pulls.find((x) => x.number === Number(vars.number));
    if (!r || !p || !token) return { data: { repository: r ? { pullRequest: null } : null } };
    return { data: { repository: { pullRequest: { reviewDecision: reviewDecision(r, p) } } } };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const requestId = `51A1:${(++requestSeq).toString(16).toUpperCase().padStart(4, '0')}:SIM`;
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = req.method ?? 'GET';
      const line = `${method} ${url.pathname}${url.search}`;
      let invisible = false;
      const send = (
        status: number,
        body: unknown,
        headers: Record<string, string> = {},
        op?: MatchedOperation,
      ) => {
        if (op) {
          // GitHub answers 401/403/429/5xx on any operation, and 422 on any write, even where its
          // OpenAPI entry does not list them; those bodies must still be GitHub's error shapes.
          let problems = documented(op, status)
            ? validator.checkResponse(op, status, body)
            : status === 422 && method !== 'GET'
              ? validator.checkComponent('validation-error', body)
              : UNIVERSAL_STATUSES.has(status)
                ? validator.checkComponent('basic-error', body)
                : validator.checkResponse(op, status, body);
          // Some error answers are described as oneOf two shapes that overlap (basic-error and
          // repository-rule-violation-error for a 409): a body valid as both is what GitHub sends.
          if (
            status >= 400 &&
            problems.length &&
            problems.every((p) => /exactly one schema in oneOf/.test(p))
          )
            problems = validator.checkComponent('basic-error', body);
          // A repository the token cannot see is a 404 on every operation (documented or not).
          if (status === 404 && invisible) problems = validator.checkComponent('basic-error', body);
          if (problems.length)
            violations.push({
              kind: 'response',
              request: line,
              operation: `${op.method} ${op.template}`,
              status,
              problems,
            });
        }
        requests.push({
          method,
          path: url.pathname + url.search,
          status,
          operation: op ? `${op.method} ${op.template}` : undefined,
          body: parsed,
        });
        res.writeHead(status, {
          'x-github-request-id': requestId,
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '4999',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
          'x-github-api-version-selected': '2022-11-28',
          ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
          ...headers,
        });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      };
      const text = Buffer.concat(chunks).toString('utf8');
      let parsed: unknown = undefined;
      if (text.length > 0) {
        try {
          parsed = JSON.parse(text);
        } catch {
          send(400, { message: 'Problems parsing JSON', documentation_url: DOCS });
          return;
        }
      }
      const auth = req.headers.authorization ?? '';
      const tokenText = /^(?:token|bearer)\s+(.+)$/i.exec(auth)?.[1];
      const token = tokenText ? tokens.get(tokenText) : undefined;

      if (method === 'POST' && url.pathname === graphqlPath) {
        if (!token) return send(401, { message: 'Bad credentials', documentation_url: DOCS });
        return send(200, graphql((parsed ?? {}) as JsonObject, token));
      }
      if (!url.pathname.startsWith(prefix + '/'))
        return send(404, { message: 'Not Found', documentation_url: DOCS });
      const pathname = url.pathname.slice(prefix.length);
      const op = validator.match(method, pathname);
      if (!op) {
        violations.push({
          kind: 'request',
          request: line,
          operation: undefined,
          problems: ['no operation in the simulator subset of the OpenAPI description matches'],
        });
        return send(404, { message: 'Not Found', documentation_url: DOCS });
      }
      const problems = validator.checkRequest(op, url.searchParams, parsed);
      if (problems.length) {
        violations.push({
          kind: 'request',
          request: line,
          operation: `${op.method} ${op.template}`,
          problems,
        });
        return send(422, {
          message: 'Invalid request.\n\n' + problems.join('\n'),
          documentation_url: DOCS,
          status: '422',
        });
      }
      if (!token) return send(401, { message: 'Bad credentials', documentation_url: DOCS }, {}, op);
      if (rateLimited.left > 0) {
        rateLimited.left--;
        return send(
          403,
          {
            message: 'API rate limit exceeded for installation ID 1.',
            documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
          },
          {
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + rateLimited.resetSeconds),
          },
          op,
        );
      }
      if (secondary.left > 0) {
        // #9: secondary limits answer 403 or 429 with this text, sometimes without Retry-After
        // (docs: "Rate limits for the REST API", exceeding the secondary rate limit).
        secondary.left--;
        return send(
          secondary.status,
          {
            message:
              'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
            documentation_url:
              'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
          },
          secondary.retryAfterSeconds === undefined
            ? {}
            : { 'retry-after': String(secondary.retryAfterSeconds) },
          op,
        );
      }
      if (op.operationId.startsWith('packages/')) {
        packages.handle(op, url.searchParams, token).then(
          (out) => send(out.status, out.body, out.headers, op),
          (e: unknown) => {
            if (e instanceof HttpError) send(e.status, e.body, {}, op);
            else send(500, { message: `simulator bug: ${String(e)}`, documentation_url: DOCS }, {}, op);
          },
        );
        return;
      }
      const fullName = `${op.params.owner}/${op.params.repo}`.toLowerCase();
      const r = repos.get(fullName);
      // #11: a token answers 404 for a repository it cannot see (GITHUB_TOKEN reaches only its
      // own repository: docs "Automatic token authentication").
      if (!r || (token.repos && !token.repos.has(fullName))) {
        invisible = !!r;
        return send(404, { message: 'Not Found', documentation_url: DOCS }, {}, op);
      }
      const handler = handlers[op.operationId];
      if (!handler) return send(404, { message: 'Not Found', documentation_url: DOCS }, {}, op);
      const operation = `${op.method} ${op.template}`;
      const fault = faults.find((f) => f.left > 0 && f.operation === operation);
      if (fault && fault.kind.startsWith('secondary-')) {
        fault.left--;
        return send(
          fault.kind === 'secondary-429' ? 429 : 403,
          {
            message:
              'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
            documentation_url:
              'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
          },
          fault.kind === 'secondary-429' ? { 'retry-after': '1' } : {},
          op,
        );
      }
      try {
        const out = handler({
          op,
          query: url.searchParams,
          body: (parsed ?? {}) as JsonObject,
          token,
          repo: r,
          headers: {},
        });
        if (fault && out.status < 400) {
          // #3: the write took effect; the answer is lost (a 502 from the front end, or the
          // connection drops): what octokit/plugin-retry then re-sends.
          fault.left--;
          if (fault.kind === 'applied-then-5xx')
            return send(502, { message: 'Server Error', documentation_url: DOCS }, {}, op);
          requests.push({ method, path: url.pathname + url.search, status: 0, operation, body: parsed });
          req.socket.destroy();
          return;
        }
        send(out.status, out.body, out.headers, op);
      } catch (e) {
        if (e instanceof HttpError) send(e.status, e.body, {}, op);
        else send(500, { message: `simulator bug: ${String(e)}`, documentation_url: DOCS }, {}, op);
      }
    });
  });
  const documented = (op: MatchedOperation, status: number) => validator.documents(op, status);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const web = `http://127.0.0.1:${port}`;
  // The same object every resource holds: they see the roots from now on.
  Object.assign(base, { api: web + prefix, web });

  const assertNoViolations = () => {
    asserted = violations.length;
    if (violations.length === 0) return;
    const text = violations
      .map(
        (v) =>
          `- ${v.kind} ${v.request}${v.status ? ` → ${v.status}` : ''} (${v.operation ?? 'no operation'}):\n    ${v.problems.join('\n    ')}`,
      )
      .join('\n');
    throw new Error(`the GitHub simulator saw ${violations.length} OpenAPI violation(s):\n${text}`);
  };

  const sim: GitHubSimulator = {
    url: base.api,
    pushToken,
    readToken,
    appToken,
    userToken,
    repositoryToken(fullName) {
      const token = `ghs_simRepoToken${(tokens.size + 1).toString().padStart(24, '0')}`;
      tokens.set(token, {
        login: 'github-actions[bot]',
        push: true,
        kind: 'app',
        repos: new Set([fullName.toLowerCase()]),
      });
      return token;
    },
    behave(change) {
      Object.assign(state.behaviours, change);
    },
    injectFault(fault) {
      faults.push({ operation: fault.operation, kind: fault.kind, left: fault.times ?? 1 });
    },
    secondaryRateLimit(count, answer = {}) {
      secondary = { left: count, status: answer.status ?? 403, retryAfterSeconds: answer.retryAfterSeconds };
    },
    validator,
    violations,
    requests,
    assertNoViolations,
    stop: async () => {
      await new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      });
      if (violations.length > asserted) assertNoViolations();
    },
    // The scenario API, resource by resource.
    ...resources.repos.scenario,
    ...resources.git.scenario,
    ...resources.contents.scenario,
    ...resources.releases.scenario,
    ...resources.pulls.scenario,
    ...resources.checks.scenario,
    ...resources.workflows.scenario,
    ...resources.attestations.scenario,
    ...packages.scenario,
    exhaustRateLimit(count, resetSeconds = 1) {
      rateLimited = { left: count, resetSeconds };
    },
  };
  return sim;
}
