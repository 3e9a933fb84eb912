// GitHub's artifact attestations: what actions/attest* stores at GitHub (without
// push-to-registry), listed by subject digest.
import type { Handler, Resource } from './handler.js';
import type { SimState } from './state.js';

export function attestationsResource(s: SimState): Resource<'addAttestation'> {
  // Per repository (lower-cased full name), per subject digest: the bundles, oldest first.
  const stored = new Map<string, Map<string, { bundle: unknown; id: number }[]>>();
  const of = (fullName: string) => {
    const key = fullName.toLowerCase();
    let m = stored.get(key);
    if (!m) stored.set(key, (m = new Map()));
    return m;
  };

  const handlers: Record<string, Handler> = {
    'repos/list-attestations': (c) => {
      const digest = c.op.params.subject_digest ?? '';
      const perPage = Math.min(100, Number(c.query.get('per_page') ?? 30));
      const predicateType = c.query.get('predicate_type');
      const list = (of(`${c.repo.facts.owner}/${c.repo.facts.name}`).get(digest) ?? []).filter(
        (a) => !predicateType || predicateTypeOf(a.bundle) === predicateType,
      );
      // GitHub pages with before/after cursors; the simulator answers one page.
      return {
        status: 200,
        body: {
          attestations: list.slice(0, perPage).map((a) => ({
            bundle: a.bundle,
            repository_id: c.repo.facts.id,
            bundle_url: `${s.base.api}/attestations/${a.id}/bundle`,
          })),
        },
      };
    },
  };
  const scenario: Resource<'addAttestation'>['scenario'] = {
    addAttestation(fullName, digest, bundle) {
      s.repo(fullName); // throws for an unknown repository
      const m = of(fullName);
      m.set(digest, [...(m.get(digest) ?? []), { bundle, id: s.id() }]);
    },
  };
  return { handlers, scenario };
}

/** The predicate type a bundle's DSSE statement names (for the predicate_type filter). */
function predicateTypeOf(bundle: unknown): string | undefined {
  try {
    const payload = (bundle as { dsseEnvelope?: { payload?: string } }).dsseEnvelope?.payload;
    if (typeof payload !== 'string') return undefined;
    const st = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as { predicateType?: unknown };
    return typeof st.predicateType === 'string' ? st.predicateType : undefined;
  } catch {
    return undefined;
  }
}
