// Every failure of a command run with --json prints exactly one JSON object on stdout, with
// error.code and error.message at its top level (beside the plan or status a script reads).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ReleaseError,
  type ExecutionResult,
  type GateResult,
  type PlanKind,
  type Plan,
  type PublishService,
  type ReleaseService,
  type ReleaseStatus,
  type RunOptions,
} from '@relkit/release-core';
import { ExitCode, type CliContext } from './command.js';
import { main } from './main.js';

const gate = (status: GateResult['status'], couldNotLook?: true): GateResult => ({
  id: 'pr-approved',
  title: 'release PR approved',
  status,
  reason: couldNotLook ? 'could not look: GitHub did not answer within 60 s' : 'no approval on the head',
  evidence: [],
  ...(couldNotLook ? { couldNotLook } : {}),
});

const planWith = (gates: GateResult[], kind: PlanKind = 'promote'): Plan => ({
  kind,
  version: '1.2.3',
  gates,
  verdict: gates.some((g) => g.status === 'fail')
    ? 'fail'
    : gates.some((g) => g.status !== 'pass')
      ? 'pending'
      : 'pass',
  steps: [],
});

/** A release service whose plans and runs answer as told; nothing else is called. */
function releaseService(o: {
  plan?: Plan;
  run?: (options: RunOptions) => Promise<ExecutionResult>;
  status?: Partial<ReleaseStatus>;
  versions?: string[];
}): ReleaseService {
  const plan = async () => o.plan ?? planWith([gate('fail')]);
  const run = async (_v: string, options: RunOptions = {}) => {
    if (!o.run) throw new Error('not expected');
    return o.run(options);
  };
  return {
    config: {} as ReleaseService['config'],
    listVersions: async () => o.versions ?? [],
    status: async () => ({ version: '1.2.3', phase: 'published', ...o.status }) as ReleaseStatus,
    planPromote: plan,
    planRollback: plan,
    planAbandon: plan,
    promote: run,
    rollback: run,
    abandon: run,
    unlock: async () => {
      throw new Error('not expected');
    },
  };
}

const sockets: Socket[] = [];
let silent: Server;
let silentHost = '';
let workspace = '';

beforeAll(async () => {
  silent = createServer((s) => {
    sockets.push(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentHost = `127.0.0.1:${(silent.address() as { port: number }).port}`;
  workspace = mkdtempSync(join(tmpdir(), 'relkit-json-'));
  writeFileSync(join(workspace, 'release.config.json'), '{}');
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
});

interface Case {
  readonly name: string;
  readonly argv: readonly string[];
  readonly exit: ExitCode;
  readonly code: string | RegExp;
  readonly connect?: () => ReleaseService;
  readonly connectPublish?: () => PublishService;
  readonly cwd?: () => string;
  /** What else the document must keep beside the error (the plan or status a script reads). */
  readonly keeps?: readonly string[];
}

const lockHeld = () =>
  new ReleaseError('LOCK_HELD', 'another promote holds the lock (ci-run-7, until 12:00)');

const cases: readonly Case[] = [
  {
    name: 'promote: gates not met (no --yes, not a terminal)',
    argv: ['promote', '1.2.3', '--json'],
    exit: ExitCode.gateNotMet,
    code: 'GATE_NOT_MET',
    connect: () => releaseService({}),
    keeps: ['plan'],
  },
  {
    name: 'promote --dry-run: gates not met',
    argv: ['promote', '1.2.3', '--dry-run', '--json'],
    exit: ExitCode.gateNotMet,
    code: 'GATE_NOT_MET',
    connect: () => releaseService({}),
    keeps: ['plan', 'dryRun'],
  },
  {
    name: 'promote: a gate could not be looked at',
    argv: ['promote', '1.2.3', '--json'],
    exit: ExitCode.failed,
    code: 'COULD_NOT_LOOK',
    connect: () => releaseService({ plan: planWith([gate('pending', true)]) }),
    keeps: ['plan'],
  },
  {
    name: 'promote --yes: the engine refuses unmet gates',
    argv: ['promote', '1.2.3', '--yes', '--wait', '0', '--json'],
    exit: ExitCode.gateNotMet,
    code: 'GATE_NOT_MET',
    connect: () =>
      releaseService({
        run: async (options) => {
          options.onPlan?.(planWith([gate('fail')]));
          throw new ReleaseError('GATE_NOT_MET', 'release PR approved: no approval on the head');
        },
      }),
    keeps: ['plan'],
  },
  {
    name: 'promote --yes: the lock is held',
    argv: ['promote', '1.2.3', '--yes', '--json'],
    exit: ExitCode.lockHeld,
    code: 'LOCK_HELD',
    connect: () => releaseService({ run: async () => Promise.reject(lockHeld()) }),
  },
  {
    name: 'promote --yes: a step failed',
    argv: ['promote', '1.2.3', '--yes', '--json'],
    exit: ExitCode.failed,
    code: 'TIMEOUT',
    connect: () =>
      releaseService({
        run: async (options) => {
          const plan = planWith([gate('pass')]);
          options.onPlan?.(plan);
          return {
            kind: 'promote',
            version: '1.2.3',
            status: 'failed',
            journal: [],
            error: { code: 'TIMEOUT', message: 'ghcr.io did not answer within 60 s' },
          };
        },
      }),
    keeps: ['plan', 'result'],
  },
  {
    name: 'rollback: a malformed --to',
    argv: ['rollback', '--to', 'one.two', '--json'],
    exit: ExitCode.usage,
    code: 'USAGE',
  },
  {
    name: 'abandon: gates not met',
    argv: ['abandon', '1.2.3', '--dry-run', '--json'],
    exit: ExitCode.gateNotMet,
    code: 'GATE_NOT_MET',
    connect: () => releaseService({ plan: planWith([gate('fail')], 'abandon') }),
    keeps: ['plan'],
  },
  {
    name: 'abandon: the config cannot be read',
    argv: ['abandon', '1.2.3', '--json'],
    exit: ExitCode.failed,
    code: 'INVALID_CONFIG',
    connect: () => {
      throw new ReleaseError('INVALID_CONFIG', 'images.0.name: required');
    },
  },
  {
    name: 'status: a gate not met',
    argv: ['status', '1.2.3', '--json'],
    exit: ExitCode.gateNotMet,
    code: 'GATE_NOT_MET',
    connect: () => releaseService({ status: { gates: [gate('fail')], verdict: 'fail' } }),
    keeps: ['phase', 'gates'],
  },
  {
    name: 'status: could not look',
    argv: ['status', '1.2.3', '--json'],
    exit: ExitCode.failed,
    code: 'COULD_NOT_LOOK',
    connect: () => releaseService({ status: { gates: [gate('pending', true)], verdict: 'pending' } }),
    keeps: ['phase', 'gates'],
  },
  {
    name: 'status: no version tags (said on stderr only)',
    argv: ['status', '--json'],
    exit: ExitCode.usage,
    code: 'USAGE',
    connect: () => releaseService({ versions: [] }),
  },
  {
    name: 'status: a bad --timeout',
    argv: ['status', '1.2.3', '--timeout', 'soon', '--json'],
    exit: ExitCode.usage,
    code: 'USAGE',
    connect: () => releaseService({}),
  },
  {
    name: 'publish --dry-run: checks not met',
    argv: ['publish', '1.2.3', '--dry-run', '--json'],
    exit: ExitCode.gateNotMet,
    code: 'GATE_NOT_MET',
    connectPublish: () =>
      ({
        plan: async () => ({ ...planWith([gate('fail')]), tag: '1.2.3' }),
      }) as unknown as PublishService,
    keeps: ['plan'],
  },
  {
    name: 'verify-publish: not verified',
    argv: ['verify-publish', '1.2.3', '--json'],
    exit: ExitCode.gateNotMet,
    code: 'GATE_NOT_MET',
    connectPublish: () =>
      ({
        verify: async () => ({ version: '1.2.3', gates: [gate('fail')], verdict: 'fail', digests: [] }),
      }) as unknown as PublishService,
    keeps: ['gates', 'verdict'],
  },
  {
    name: 'doctor: no config here',
    argv: ['doctor', '--json'],
    exit: ExitCode.failed,
    code: 'CHECKS_FAILED',
    cwd: () => mkdtempSync(join(tmpdir(), 'relkit-json-empty-')),
    keeps: ['checks'],
  },
  {
    name: 'init: the files exist (said on stderr only)',
    argv: ['init', '--repository', 'acme/app', '--json'],
    exit: ExitCode.failed,
    code: 'FAILED',
    cwd: () => workspace,
  },
  {
    name: 'image tag: a malformed reference',
    argv: ['image', 'tag', 'UPPER/Case:x', 'latest', '--json'],
    exit: ExitCode.usage,
    code: 'USAGE',
  },
  {
    name: 'image digest: a registry that never answers',
    argv: ['image', 'digest', '@silent/acme/app:1.2.3', '--timeout', '1', '--json'],
    exit: ExitCode.failed,
    code: 'TIMEOUT',
  },
];

describe('--json failures: one JSON object on stdout with error.code and error.message', () => {
  it.each(cases)('$name', async (c) => {
    const out: string[] = [];
    const err: string[] = [];
    const ctx: CliContext = {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      env: { HOME: workspace },
      cwd: c.cwd?.() ?? workspace,
      isTTY: false,
      ...(c.connect ? { connect: async () => c.connect!() } : {}),
      ...(c.connectPublish ? { connectPublish: async () => c.connectPublish!() } : {}),
    };
    const argv = c.argv.map((a) => a.replace('@silent', silentHost));
    const exit = await main(argv, ctx);
    const stdout = out.join('');
    const why = `stdout: ${stdout}\nstderr: ${err.join('')}`;
    expect(exit, why).toBe(c.exit);
    let doc: { error?: { code?: unknown; message?: unknown } } & Record<string, unknown>;
    try {
      // One document: JSON.parse refuses two, and anything before or after one.
      doc = JSON.parse(stdout) as typeof doc;
    } catch (e) {
      throw new Error(`stdout is not one JSON document (${(e as Error).message})\n${why}`, { cause: e });
    }
    expect(typeof doc, why).toBe('object');
    expect(doc.error?.code, why).toMatch(c.code);
    expect(typeof doc.error?.message, why).toBe('string');
    expect((doc.error?.message as string).length, why).toBeGreaterThan(0);
    for (const key of c.keeps ?? []) expect(doc, `${key}\n${why}`).toHaveProperty(key);
  });

  it('names the host and the deadline when a registry never answers', async () => {
    const out: string[] = [];
    const ctx: CliContext = {
      stdout: (t) => out.push(t),
      stderr: () => {},
      env: { HOME: workspace },
      cwd: workspace,
      isTTY: false,
    };
    await main(['image', 'digest', `${silentHost}/acme/app:1.2.3`, '--timeout', '1', '--json'], ctx);
    const doc = JSON.parse(out.join('')) as { error: { message: string } };
    expect(doc.error.message).toContain(`${silentHost} did not answer within 1 s`);
  });
});
