import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  GITHUB_ACTIONS_ISSUER,
  SLSA_PROVENANCE_V1,
  legacyImageAttestation,
  legacyImageSignature,
  pushLegacySignatures,
  pushTestImage,
  startRegistry,
  startSigstoreInfra,
  workflowSan,
  type LocalRegistry,
  type SigstoreInfra,
} from '@relkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, type CliContext } from '../command.js';
import { main } from '../main.js';
import { sigstoreCommands } from './sigstore.js';

const here = dirname(fileURLToPath(import.meta.url));

function sharedDir(): string {
  if (process.env.RELKIT_SHARED_DIR) return process.env.RELKIT_SHARED_DIR;
  let d = here;
  while (!existsSync(join(d, 'nx.json'))) {
    const up = dirname(d);
    if (up === d) throw new Error('no nx.json above this test: set RELKIT_SHARED_DIR');
    d = up;
  }
  return join(d, '..', 'shared');
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: {},
    cwd: process.cwd(),
    isTTY: false,
  };
  return { ctx, out: () => out.join(''), err: () => err.join('') };
}

const CONFORMANCE = join(sharedDir(), 'data', 'sigstore-conformance');
const DEFAULT_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

/** The argv the sigstore-conformance harness passes for one case directory. */
function conformanceArgv(dir: string): string[] {
  const f = (name: string) => join(dir, name);
  const argv = ['sigstore', 'verify-bundle', '--bundle', f('bundle.sigstore.json')];
  if (existsSync(f('key.pub'))) argv.push('--key', f('key.pub'));
  else {
    const identity = existsSync(f('identity'))
      ? readFileSync(f('identity'), 'utf8').trim()
      : DEFAULT_IDENTITY;
    const issuer = existsSync(f('issuer')) ? readFileSync(f('issuer'), 'utf8').trim() : DEFAULT_ISSUER;
    argv.push('--certificate-identity', identity, '--certificate-oidc-issuer', issuer);
  }
  if (existsSync(f('trusted_root.json'))) argv.push('--trusted-root', f('trusted_root.json'));
  argv.push(existsSync(f('artifact')) ? f('artifact') : join(CONFORMANCE, 'a.txt'));
  return argv;
}

const cases = readdirSync(CONFORMANCE)
  .filter((n) => statSync(join(CONFORMANCE, n)).isDirectory())
  .sort();

describe('release-cli sigstore verify-bundle: every sigstore-conformance case', () => {
  it('finds the cases', () => expect(cases.length).toBeGreaterThan(10));
  for (const name of cases) {
    const fail = name.endsWith('_fail');
    for (const digestMode of [false, true]) {
      it(`${name} ${fail ? 'is rejected' : 'verifies'}${digestMode ? ' (artifact as sha256 digest)' : ''}`, async () => {
        const argv = conformanceArgv(join(CONFORMANCE, name));
        if (digestMode) {
          const artifact = readFileSync(argv.at(-1)!);
          argv[argv.length - 1] = `sha256:${createHash('sha256').update(artifact).digest('hex')}`;
        }
        const c = capture();
        const code = await main(argv, c.ctx, sigstoreCommands);
        if (fail) {
          expect(code).not.toBe(ExitCode.ok);
          expect(c.err()).toMatch(/release-cli sigstore verify-bundle: /);
        } else {
          expect({ code, err: c.err() }).toEqual({ code: ExitCode.ok, err: '' });
          expect(c.out()).toMatch(/^Verified OK\n/);
        }
      });
    }
  }

  it('rejects a digest the DSSE subject does not name', async () => {
    const dir = join(CONFORMANCE, 'happy-path-intoto-in-dsse-v3');
    const argv = conformanceArgv(dir);
    const artifact = readFileSync(argv.at(-1)!);
    argv[argv.length - 1] = `sha256:${createHash('sha256').update(artifact).digest('hex')}`;
    const c = capture();
    expect(await main(argv, c.ctx, sigstoreCommands)).toBe(ExitCode.ok);
    argv[argv.length - 1] = `sha256:${'0'.repeat(64)}`;
    const d = capture();
    expect(await main(argv, d.ctx, sigstoreCommands)).toBe(ExitCode.failed);
    expect(d.err()).toContain('SUBJECT_MISMATCH');
  });

  it('checks the provenance of a real GitHub Actions certificate (happy-path-v0.3)', async () => {
    const argv = conformanceArgv(join(CONFORMANCE, 'happy-path-v0.3'));
    const run = async (...flags: string[]) => {
      const c = capture();
      const code = await main([...argv.slice(0, -1), ...flags, argv.at(-1)!], c.ctx, sigstoreCommands);
      return { code, out: c.out(), err: c.err() };
    };
    const beacon = 'sigstore-conformance/extremely-dangerous-public-oidc-beacon';
    const right = [
      '--source-digest',
      'c7b3dfb335f051e1c86bda4c716fac97df62ad81',
      '--source-ref',
      'refs/heads/main',
      '--signer-workflow',
      `${beacon}/.github/workflows/extremely-dangerous-oidc-beacon.yml`,
      '--deny-self-hosted-runners',
    ];
    const ok = await run(...right);
    expect({ code: ok.code, err: ok.err }).toEqual({ code: ExitCode.ok, err: '' });
    expect(ok.out).toContain('source commit: c7b3dfb335f051e1c86bda4c716fac97df62ad81');
    expect(ok.out).toContain(
      `signer workflow: https://github.com/${beacon}/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main`,
    );
    expect(ok.out).toContain('runner: github-hosted');
    const wrongCommit = await run('--source-digest', '0'.repeat(40));
    expect(wrongCommit.code).toBe(ExitCode.failed);
    expect(wrongCommit.err).toMatch(
      /sourceDigest: .*"c7b3dfb335f051e1c86bda4c716fac97df62ad81", expected "0{40}"/,
    );
    const wrongRef = await run('--source-ref', 'refs/tags/v1.0.0');
    expect(wrongRef.code).toBe(ExitCode.failed);
    expect(wrongRef.err).toMatch(/sourceRef: /);
    const otherWorkflow = await run('--signer-workflow', `${beacon}/.github/workflows/release.yml`);
    expect(otherWorkflow.code).toBe(ExitCode.failed);
    expect(otherWorkflow.err).toMatch(/signerWorkflow: /);
    const otherHost = await run(
      '--signer-workflow',
      `ghe.example.com/${beacon}/.github/workflows/extremely-dangerous-oidc-beacon.yml`,
    );
    expect(otherHost.code).toBe(ExitCode.failed);
  });

  it('lists the provenance flags in --help', async () => {
    for (const cmd of [
      ['sigstore', 'verify-bundle'],
      ['image', 'verify'],
    ]) {
      const c = capture();
      expect(await main([...cmd, '--help'], c.ctx, sigstoreCommands)).toBe(ExitCode.ok);
      for (const flag of [
        '--source-digest',
        '--source-ref',
        '--signer-workflow',
        '--deny-self-hosted-runners',
      ])
        expect(c.out()).toContain(flag);
    }
  });

  it('is a usage error without an identity, or with both --key and an identity', async () => {
    const c = capture();
    expect(
      await main(['sigstore', 'verify-bundle', '--bundle', 'b.json', 'a.txt'], c.ctx, sigstoreCommands),
    ).toBe(ExitCode.usage);
    const d = capture();
    const argv = [
      'sigstore',
      'verify-bundle',
      '--bundle',
      'b',
      '--key',
      'k',
      '--certificate-identity',
      'x',
      'a',
    ];
    expect(await main(argv, d.ctx, sigstoreCommands)).toBe(ExitCode.usage);
  });

  it('runs as the built bin in a subprocess', () => {
    const bin = join(here, '..', '..', 'bin', 'release-cli.js');
    const ok = spawnSync(process.execPath, [bin, ...conformanceArgv(join(CONFORMANCE, 'happy-path-v0.3'))], {
      encoding: 'utf8',
    });
    expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: '' });
    const bad = spawnSync(
      process.execPath,
      [bin, ...conformanceArgv(join(CONFORMANCE, 'trust-root-tlog-missing-validity-start_fail'))],
      { encoding: 'utf8' },
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('validFor.start');
  });
});

describe('release-cli image verify', () => {
  let infra: SigstoreInfra;
  let registry: LocalRegistry;
  let rootFile: string;
  let signed: string;
  let unsigned: string;
  let selfHosted: string;
  beforeAll(async () => {
    [infra, registry] = await Promise.all([startSigstoreInfra(), startRegistry()]);
    const dir = mkdtempSync(join(tmpdir(), 'relkit-cli-sigstore-'));
    rootFile = join(dir, 'trusted_root.json');
    writeFileSync(rootFile, JSON.stringify(infra.trustedRoot));
    const img = await pushTestImage(registry, { repository: 'acme/widget', tag: '1.2.3' });
    await pushLegacySignatures(registry, 'acme/widget', img.digest, 'sig', [
      await legacyImageSignature(infra, { digest: img.digest }),
    ]);
    await pushLegacySignatures(registry, 'acme/widget', img.digest, 'att', [
      await legacyImageAttestation(infra, { digest: img.digest, predicateType: SLSA_PROVENANCE_V1 }),
    ]);
    signed = `${registry.host}/acme/widget:1.2.3`;
    const other = await pushTestImage(registry, {
      repository: 'acme/widget',
      tag: '9.9.9',
      seed: 'unsigned',
    });
    unsigned = `${registry.host}/acme/widget@${other.digest}`;
    const built = await pushTestImage(registry, { repository: 'acme/widget', tag: '1.2.4', seed: 'self' });
    const identity = { sha: 'b'.repeat(40), runnerEnvironment: 'self-hosted' as const };
    await pushLegacySignatures(registry, 'acme/widget', built.digest, 'sig', [
      await legacyImageSignature(infra, { digest: built.digest, identity }),
    ]);
    selfHosted = `${registry.host}/acme/widget:1.2.4`;
  }, 120_000);
  afterAll(async () => {
    await Promise.all([infra?.stop(), registry?.stop()]);
  });

  const id = () => [
    '--certificate-identity',
    workflowSan(),
    '--certificate-oidc-issuer',
    GITHUB_ACTIONS_ISSUER,
  ];

  it('verifies a signed image by tag, cosign-like', async () => {
    const c = capture();
    const code = await main(
      ['image', 'verify', signed, ...id(), '--trusted-root', rootFile, '--require-attestation', 'slsa'],
      c.ctx,
      sigstoreCommands,
    );
    expect({ code, err: c.err() }).toEqual({ code: 0, err: '' });
    expect(c.out()).toContain('The following checks were performed on each of these signatures:');
    expect(c.out()).toContain(`identity: ${workflowSan()}`);
    expect(c.out()).toContain('attestation https://slsa.dev/provenance/v1 (slsa-provenance, legacy-att)');
  }, 60_000);

  it('prints data with --json and fails for a wrong identity regexp, an unsigned image, or a missing SBOM', async () => {
    const c = capture();
    const argv = ['image', 'verify', signed, '--certificate-identity-regexp', 'github\\.com/acme/.*'];
    const code = await main(
      [...argv, '--certificate-oidc-issuer', GITHUB_ACTIONS_ISSUER, '--trusted-root', rootFile, '--json'],
      c.ctx,
      sigstoreCommands,
    );
    expect(code).toBe(ExitCode.failed);
    const json = JSON.parse(c.out()) as { verdict: string; findings: { reason: { code: string } }[] };
    expect(json.verdict).toBe('rejected');
    expect(json.findings[0]!.reason.code).toBe('UNTRUSTED_SIGNER');

    const u = capture();
    expect(
      await main(['image', 'verify', unsigned, ...id(), '--trusted-root', rootFile], u.ctx, sigstoreCommands),
    ).toBe(ExitCode.failed);
    expect(u.out()).toMatch(/^NOT-SIGNED: /);

    const s = capture();
    const sbom = [
      'image',
      'verify',
      signed,
      ...id(),
      '--trusted-root',
      rootFile,
      '--require-attestation',
      'sbom',
    ];
    expect(await main(sbom, s.ctx, sigstoreCommands)).toBe(ExitCode.failed);
    expect(s.out()).toMatch(/^MISSING-ATTESTATION: /);
  }, 60_000);

  it('checks Fulcio claims given with --claim / --claim-regexp', async () => {
    const base = ['image', 'verify', signed, ...id(), '--trusted-root', rootFile];
    const ok = capture();
    const claims = [
      '--claim',
      'sourceRepositoryUri=https://github.com/acme/widget',
      '--claim-regexp',
      'sourceRepositoryRef=refs/heads/.+',
    ];
    expect(await main([...base, ...claims], ok.ctx, sigstoreCommands)).toBe(ExitCode.ok);
    expect(ok.out()).toContain('source repository: https://github.com/acme/widget');
    const bad = capture();
    expect(
      await main([...base, '--claim', 'sourceRepositoryRef=refs/tags/v1.2.3'], bad.ctx, sigstoreCommands),
    ).toBe(ExitCode.failed);
    expect(bad.out()).toContain('claim sourceRepositoryRef is "refs/heads/main"');
    const usage = capture();
    expect(await main([...base, '--claim', 'repo=x'], usage.ctx, sigstoreCommands)).toBe(ExitCode.usage);
  }, 60_000);

  it('checks provenance: --source-digest, --source-ref, --signer-workflow, --deny-self-hosted-runners', async () => {
    const base = ['image', 'verify', signed, ...id(), '--trusted-root', rootFile];
    const all = [
      '--source-digest',
      'a'.repeat(40),
      '--source-ref',
      'refs/heads/main',
      '--signer-workflow',
      'acme/widget/.github/workflows/release.yml',
      '--deny-self-hosted-runners',
    ];
    const ok = capture();
    expect(await main([...base, ...all], ok.ctx, sigstoreCommands)).toBe(ExitCode.ok);
    expect(ok.out()).toContain(`source commit: ${'a'.repeat(40)}`);
    expect(ok.out()).toContain('runner: github-hosted');
    const rejected = async (argv: string[], field: RegExp) => {
      const c = capture();
      expect(await main(argv, c.ctx, sigstoreCommands)).toBe(ExitCode.failed);
      expect(c.out()).toMatch(/^REJECTED: /);
      expect(c.out()).toMatch(field);
    };
    await rejected(
      [...base, '--source-digest', 'c'.repeat(40)],
      /sourceDigest: .* is "a{40}", expected "c{40}"/,
    );
    await rejected([...base, '--source-ref', 'refs/tags/1.2.3'], /sourceRef: /);
    await rejected(
      [...base, '--signer-workflow', 'acme/widget/.github/workflows/build.yml'],
      /signerWorkflow: /,
    );
    const self = ['image', 'verify', selfHosted, ...id(), '--trusted-root', rootFile];
    const plain = capture();
    expect(await main(self, plain.ctx, sigstoreCommands)).toBe(ExitCode.ok);
    expect(plain.out()).toContain('runner: self-hosted');
    await rejected([...self, '--deny-self-hosted-runners'], /denySelfHostedRunners: .* is "self-hosted"/);
    for (const bad of [
      ['--source-digest', 'abc123'],
      ['--source-ref', 'main'],
      ['--signer-workflow', 'acme/widget'],
    ]) {
      const u = capture();
      expect(await main([...base, ...bad], u.ctx, sigstoreCommands)).toBe(ExitCode.usage);
    }
  }, 60_000);

  it('refuses a policy that accepts anyone, and an unknown attestation kind', async () => {
    const c = capture();
    const argv = [
      'image',
      'verify',
      signed,
      '--certificate-identity-regexp',
      '.*',
      '--certificate-oidc-issuer',
      'x',
    ];
    expect(await main(argv, c.ctx, sigstoreCommands)).toBe(ExitCode.failed);
    expect(c.err()).toContain('accepts any identity');
    const d = capture();
    expect(
      await main(
        ['image', 'verify', signed, ...id(), '--require-attestation', 'vex'],
        d.ctx,
        sigstoreCommands,
      ),
    ).toBe(ExitCode.usage);
  }, 60_000);
});
