import { inspect } from 'node:util';
import { startFaultProxy, startGitHubSimulator, type FaultProxy, rejectionOf } from '@relkit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { redactor } from '@relkit/release-core/redact';
import type { RateLimitEvent } from './client.js';
import { GitHubError } from './errors.js';
import { GitHubForge } from './forge.js';
import { FAST, forgeFor, R, REPO, useSimulator } from './__tests__/support.js';

const t = useSimulator();
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

const rejection = (p: Promise<unknown>) => rejectionOf(p, GitHubError);

async function viaProxy(events: RateLimitEvent[] = []): Promise<GitHubForge> {
  proxy = await startFaultProxy(t.sim.url);
  return new GitHubForge({
    token: t.sim.pushToken,
    baseUrl: proxy.url,
    ...FAST,
    onRateLimit: (e) => events.push(e),
  });
}

const SECONDARY = JSON.stringify({
  message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
  documentation_url:
    'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
});

describe('errors', () => {
  it('a rejected token gives UNAUTHORIZED with status and request id, and never the token', async () => {
    const secret = 'ghp_thisIsTheSecretToken1234567890abcdef';
    const forge = forgeFor(t.sim, { token: secret });
    const e = await rejection(forge.findRelease(REPO, '1.2.3'));
    expect(e).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
    expect(e.requestId).toMatch(/SIM/);
    expect(e.message).toMatch(/request id/);
    expect(e.advice).toMatch(/GH_TOKEN/);
    expect(inspect(e, { depth: 10 })).not.toContain(secret);
    expect(JSON.stringify({ ...e, message: e.message })).not.toContain(secret);
  });

  it('a missing repository is NOT_FOUND with the usual 404 caveat', async () => {
    const e = await rejection(forgeFor(t.sim).findRelease({ owner: 'acme', repo: 'nope' }, '1.2.3'));
    expect(e).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(e.advice).toMatch(/cannot see/);
  });

  it('a read-only token cannot write: FORBIDDEN with what permission is missing', async () => {
    const e = await rejection(forgeFor(t.sim, { token: t.sim.readToken }).createTag(REPO, '1.2.3', t.main));
    expect(e).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    expect(e.advice).toMatch(/write/);
  });

  it('holds its token, so every redactor of the process masks it (a hosts.yml token is in no env)', () => {
    const secret = 'hosts-yml-token-0123456789abcdef';
    forgeFor(t.sim, { token: secret });
    expect(redactor(() => [])(`echo ${secret} end`)).toBe('echo *** end');
  });

  it('refuses an empty token before any request', () => {
    expect(() => forgeFor(t.sim, { token: '' })).toThrow(GitHubError);
  });
});

describe('throttling and retry through the fault proxy', () => {
  it('waits out a secondary rate limit (403 + Retry-After) and retries', async () => {
    const events: RateLimitEvent[] = [];
    const forge = await viaProxy(events);
    proxy!.addRule({
      match: /^POST .*\/git\/refs$/,
      times: 1,
      fault: { kind: 'status', status: 403, retryAfter: '2', body: SECONDARY },
    });
    expect((await forge.createTag(REPO, '1.2.3', t.main)).outcome).toBe('created');
    expect(events).toEqual([
      expect.objectContaining({ kind: 'secondary', retryAfterSeconds: 2, willRetry: true, method: 'POST' }),
    ]);
    expect(proxy!.log.filter((l) => l.method === 'POST').map((l) => l.status)).toEqual([403, 201]);
  });

  it('waits out a 429 secondary limit too', async () => {
    const events: RateLimitEvent[] = [];
    const forge = await viaProxy(events);
    proxy!.addRule({
      match: /^GET .*\/releases/,
      times: 2,
      fault: { kind: 'status', status: 429, retryAfter: '1', body: SECONDARY },
    });
    expect((await forge.findRelease(REPO, '1.2.3')).release).toBeUndefined();
    expect(events.map((e) => e.kind)).toEqual(['secondary', 'secondary']);
  });

  it('waits for the primary rate limit to reset (403, x-ratelimit-remaining: 0) and retries', async () => {
    const events: RateLimitEvent[] = [];
    const forge = forgeFor(t.sim, { onRateLimit: (e) => events.push(e) });
    t.sim.exhaustRateLimit(1, 1);
    expect(await forge.getRef(REPO, 'heads/main')).toBe(t.main);
    expect(events).toEqual([expect.objectContaining({ kind: 'primary', willRetry: true })]);
    expect(events[0]!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it('a primary rate limit that does not lift ends in RATE_LIMITED', async () => {
    const forge = forgeFor(t.sim, { maxRateLimitRetries: 1 });
    t.sim.exhaustRateLimit(5, 1);
    const e = await rejection(forge.getRef(REPO, 'heads/main'));
    expect(e).toMatchObject({ code: 'RATE_LIMITED', status: 403 });
    expect(e.message).toMatch(/API rate limit exceeded/);
  });

  it('gives up after maxRateLimitRetries with RATE_LIMITED', async () => {
    proxy = await startFaultProxy(t.sim.url);
    const forge = new GitHubForge({
      token: t.sim.pushToken,
      baseUrl: proxy.url,
      ...FAST,
      maxRateLimitRetries: 2,
    });
    proxy.addRule({
      match: /^GET .*\/git\/ref\//,
      fault: { kind: 'status', status: 403, retryAfter: '1', body: SECONDARY },
    });
    const e = await rejection(forge.getRef(REPO, 'heads/main'));
    expect(e).toMatchObject({ code: 'RATE_LIMITED', status: 403 });
    expect(proxy.log.filter((l) => l.faulted)).toHaveLength(3);
  });

  it.each([500, 502, 503])('retries a %i and succeeds', async (status) => {
    const forge = await viaProxy();
    proxy!.addRule({
      match: /^GET .*\/git\/ref\//,
      times: 2,
      fault: { kind: 'status', status, body: '{"message":"Server Error"}' },
    });
    expect(await forge.getRef(REPO, 'heads/main')).toBe(t.main);
    expect(proxy!.log.map((l) => l.status)).toEqual([status, status, 200]);
  });

  it('retries a dropped connection and succeeds', async () => {
    const forge = await viaProxy();
    proxy!.addRule({ match: /^PUT .*\/contents\//, times: 1, fault: { kind: 'drop' } });
    const r = await forge.commitFile(REPO, {
      branch: 'main',
      path: 'CHANGELOG.md',
      content: 'new\n',
      message: 'm',
    });
    expect(t.sim.readFile(R, r.commitSha, 'CHANGELOG.md')).toBe('new\n');
    expect(proxy!.log.filter((l) => l.method === 'PUT').map((l) => l.status)).toEqual(['dropped', 200]);
  });

  it('a GitHub that stays down ends in UNAVAILABLE after the retries', async () => {
    const forge = await viaProxy();
    proxy!.addRule({
      match: /^GET /,
      fault: { kind: 'status', status: 503, body: '{"message":"Service Unavailable"}' },
    });
    const e = await rejection(forge.getRef(REPO, 'heads/main'));
    expect(e).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
    expect(proxy!.log).toHaveLength(4); // 1 + 3 retries
  });

  it('connections that keep dropping end in UNAVAILABLE with status 0 (no answer)', async () => {
    const forge = await viaProxy();
    proxy!.addRule({ fault: { kind: 'drop' } });
    const e = await rejection(forge.getRef(REPO, 'heads/main'));
    expect(e).toMatchObject({ code: 'UNAVAILABLE', status: 0 });
    expect(e.message).toMatch(/no answer from GitHub/);
  });

  it('does not retry a 404 or a 422 (they are answers, not failures)', async () => {
    const forge = await viaProxy();
    expect(await forge.getRef(REPO, 'tags/none')).toBeUndefined();
    expect(proxy!.log).toHaveLength(1);
  });
});

describe('GitHub Enterprise Server', () => {
  it('works under a /api/v3 base URL, GraphQL included', async () => {
    const ghes = await startGitHubSimulator({ enterprise: true });
    try {
      ghes.createRepo(R);
      const n = ghes.openPull(R, { head: 'release/1.2.3', base: 'main' });
      ghes.requireApprovals(R, 1);
      ghes.review(R, n, 'alice', 'APPROVED');
      ghes.addCheckRun(R, ghes.branchSha(R, 'release/1.2.3')!, { name: 'ci' });
      const forge = new GitHubForge({ token: ghes.pushToken, baseUrl: ghes.url, ...FAST });
      expect(ghes.url).toMatch(/\/api\/v3$/);
      const report = await forge.observePullRequest(REPO, n);
      expect(report.approval).toMatchObject({ approved: true, source: 'review-decision' });
      expect(report.blockers).toEqual([]);
      ghes.assertNoViolations();
    } finally {
      await ghes.stop();
    }
  });
});
