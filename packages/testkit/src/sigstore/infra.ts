import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as mock from '@sigstore/mock';

type KeyPair = { publicKey: KeyObject; privateKey: KeyObject };
type TLog = Awaited<ReturnType<typeof mock.initializeTLog>>;
type CA = Awaited<ReturnType<typeof mock.initializeCA>>;
type TSA = Awaited<ReturnType<typeof mock.initializeTSA>>;

/** A Rekor v1 log entry as the API returns it (one value of the `{uuid: entry}` map). */
export interface RekorLogEntry {
  readonly body: string;
  readonly integratedTime: number;
  readonly logIndex: number;
  readonly logID: string;
  readonly verification: { readonly signedEntryTimestamp: string };
}

/** Mock Fulcio + CT log, Rekor v1 and an RFC 3161 TSA on 127.0.0.1, with a matching trusted root. */
export interface SigstoreInfra {
  /** Base URL of all three services, e.g. http://127.0.0.1:41234 (Fulcio, Rekor and TSA paths differ). */
  readonly url: string;
  /** The one fixed, whole-second instant every service stamps (cert notBefore, SCT, SET, TSA). */
  readonly clock: Date;
  /** trusted_root.json for this instance (validFor.start one hour before the clock). */
  readonly trustedRoot: Record<string, unknown>;
  /** DER of the CA root certificate. */
  readonly caRootDer: Buffer;
  /** Adds an entry to the log as Rekor would (dsse entries are normalised to Rekor's stored body). */
  logEntry(proposed: object): Promise<RekorLogEntry>;
  /**
   * Adds an entry to a log with the same key but another clock: a genuine SET whose integrated
   * time lies where the test wants (e.g. after the 10-minute certificate expired).
   */
  logEntryAt(proposed: object, at: Date): Promise<RekorLogEntry>;
  stop(): Promise<void>;
}

const ec = (): KeyPair => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const bytes = (v: ArrayBufferView): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
const sha256hex = (b: string | Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * Starts the mock Sigstore services from @sigstore/mock over HTTP so the real @sigstore/sign
 * clients (FulcioSigner, RekorWitness, TSAWitness) talk to them. One fixed whole-second clock:
 * the mock TSA otherwise writes fractional GeneralizedTime that @sigstore/core rejects, and the
 * 10-minute leaf certificate must cover the SCT, SET and TSA times.
 */
export async function startSigstoreInfra(options: { clock?: Date } = {}): Promise<SigstoreInfra> {
  // Ahead of real time by a margin: the mock TSA's certificates start at the real time of their
  // creation (not at the clock), so on a loaded machine, where starting the services beside a
  // world's other services can take seconds, a clock only 1 s ahead fell before them and the
  // timestamp stopped verifying (TIMESTAMP_ERROR "timestamp could not be verified").
  const clock = options.clock ?? new Date((Math.floor(Date.now() / 1000) + 30) * 1000);
  if (clock.getTime() % 1000 !== 0) throw new Error('the sigstore mock clock must be a whole second');
  const routes = new Map<
    string,
    (body: string) => Promise<{ statusCode: number; response: unknown; contentType?: string }>
  >();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const route = routes.get(`${req.method} ${(req.url ?? '').split('?')[0]}`);
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      route(Buffer.concat(chunks).toString('utf8')).then(
        ({ statusCode, response, contentType }) => {
          res.writeHead(statusCode, { 'content-type': contentType ?? 'text/plain' });
          res.end(typeof response === 'string' ? response : Buffer.from(response as Uint8Array));
        },
        (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e)),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const ctKeys = ec();
  const caKeys = ec();
  const tlogKeys = ec();
  const tsaKeys = ec();
  const ctlog = await mock.initializeCTLog(ctKeys, clock);
  const ca: CA = await mock.initializeCA(caKeys, ctlog, clock);
  const tlog: TLog = await mock.initializeTLog(url, tlogKeys, clock);
  const tsa: TSA = await mock.initializeTSA(tsaKeys, clock);

  const toEntry = (logged: unknown): RekorLogEntry =>
    Object.values(logged as Record<string, RekorLogEntry>)[0]!;
  const logWith = async (log: TLog, proposed: object) => toEntry(await log.log(normaliseDsse(proposed)));

  const fulcio = mock.fulcioHandler(ca, { strict: true });
  const tsaRoute = mock.tsaHandler(tsa, { strict: true });
  routes.set(`POST ${fulcio.path}`, fulcio.fn);
  routes.set(`POST ${tsaRoute.path}`, tsaRoute.fn);
  routes.set('POST /api/v1/log/entries', async (body) => {
    const entry = await tlog.log(normaliseDsse(JSON.parse(body) as object));
    return { statusCode: 201, response: JSON.stringify(entry), contentType: 'application/json' };
  });

  const start = new Date(clock.getTime() - 3600_000).toISOString();
  const keyOf = (der: Uint8Array) => ({
    rawBytes: Buffer.from(der).toString('base64'),
    keyDetails: 'PKIX_ECDSA_P256_SHA_256',
    validFor: { start },
  });
  const logOf = (der: Uint8Array) => ({
    baseUrl: url,
    hashAlgorithm: 'SHA2_256',
    publicKey: keyOf(der),
    logId: { keyId: createHash('sha256').update(der).digest('base64') },
  });
  const caOf = (certs: ArrayBufferView[]) => ({
    subject: { organization: 'relkit-mock', commonName: 'relkit-mock' },
    uri: url,
    certChain: { certificates: certs.map((c) => ({ rawBytes: bytes(c).toString('base64') })) },
    validFor: { start },
  });
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [logOf(tlog.publicKey)],
    ctlogs: [logOf(ctlog.publicKey)],
    certificateAuthorities: [caOf([ca.rootCertificate])],
    timestampAuthorities: [caOf([tsa.intCertificate, tsa.rootCertificate])],
  };

  return {
    url,
    clock,
    trustedRoot,
    caRootDer: bytes(ca.rootCertificate),
    logEntry: (proposed) => logWith(tlog, proposed),
    async logEntryAt(proposed, at) {
      return logWith(await mock.initializeTLog(url, tlogKeys, at), proposed);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Real Rekor stores a `dsse` entry as {envelopeHash, payloadHash, signatures[{signature,
 * verifier}]}, not the proposed envelope; the mock stores what it is given, so do it here.
 */
function normaliseDsse(proposed: object): object {
  const p = proposed as {
    kind?: string;
    spec?: { proposedContent?: { envelope: string; verifiers: string[] } };
  };
  if (p.kind !== 'dsse' || !p.spec?.proposedContent) return proposed;
  const { envelope, verifiers } = p.spec.proposedContent;
  const env = JSON.parse(envelope) as { payload: string; signatures: { sig: string }[] };
  return {
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: sha256hex(envelope) },
      payloadHash: { algorithm: 'sha256', value: sha256hex(Buffer.from(env.payload, 'base64')) },
      signatures: env.signatures.map((s) => ({ signature: s.sig, verifier: verifiers[0] })),
    },
  };
}

/** The claims of a GitHub Actions OIDC token that the mock Fulcio turns into certificate extensions. */
export interface WorkflowIdentity {
  /** owner/repo, default acme/widget. */
  readonly repository?: string;
  /** default refs/heads/main. */
  readonly ref?: string;
  /** default .github/workflows/release.yml. */
  readonly workflow?: string;
  /** The commit the workflow ran on (certificate source digest …57264.1.13), default a×40. */
  readonly sha?: string;
  /** `github-hosted` (default) or `self-hosted` (certificate runner environment …57264.1.11). */
  readonly runnerEnvironment?: 'github-hosted' | 'self-hosted';
  readonly eventName?: string;
  readonly issuer?: string;
  /** Override the URI SAN (defaults to https://github.com/<repo>/<workflow>@<ref>). */
  readonly subject?: string;
}

export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/** The SAN the mock Fulcio writes for a workflow identity. */
export function workflowSan(id: WorkflowIdentity = {}): string {
  const repo = id.repository ?? 'acme/widget';
  return (
    id.subject ??
    `https://github.com/${repo}/${id.workflow ?? '.github/workflows/release.yml'}@${id.ref ?? 'refs/heads/main'}`
  );
}

/** An unsigned JWT like a GitHub Actions token (the mock Fulcio only decodes it). */
export function fakeGithubActionsToken(id: WorkflowIdentity = {}): string {
  const repo = id.repository ?? 'acme/widget';
  const ref = id.ref ?? 'refs/heads/main';
  const sha = id.sha ?? 'a'.repeat(40);
  const jobWorkflowRef = `${repo}/${id.workflow ?? '.github/workflows/release.yml'}@${ref}`;
  const b64u = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const claims = {
    iss: id.issuer ?? GITHUB_ACTIONS_ISSUER,
    sub: workflowSan(id),
    aud: 'sigstore',
    repository: repo,
    repository_owner: repo.split('/')[0],
    repository_id: '123456',
    repository_owner_id: '654321',
    repository_visibility: 'public',
    ref,
    sha,
    workflow: 'release',
    workflow_ref: jobWorkflowRef,
    workflow_sha: sha,
    job_workflow_ref: jobWorkflowRef,
    job_workflow_sha: sha,
    event_name: id.eventName ?? 'push',
    runner_environment: id.runnerEnvironment ?? 'github-hosted',
    run_id: '42',
    run_attempt: '1',
  };
  return `${b64u({ alg: 'none', typ: 'JWT' })}.${b64u(claims)}.`;
}
