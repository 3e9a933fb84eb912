import { X509Certificate } from 'node:crypto';

/**
 * The keys a Rekor entry body says signed it. @sigstore/verify compares the signature and
 * digest with the body but not the key (cosign does: GHSA-whqx-f9j3-ch6m), so relkit does.
 */
export type BodyVerifier = { readonly certificateDer: Buffer } | { readonly spkiDer: Buffer };

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function fromPem(b64Pem: string | undefined): BodyVerifier[] {
  if (!b64Pem) return [];
  const pem = Buffer.from(b64Pem, 'base64').toString('utf8');
  const m = /-----BEGIN ([A-Z ]+)-----([\s\S]+?)-----END \1-----/.exec(pem);
  if (!m) return [];
  const der = Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64');
  if (m[1] === 'CERTIFICATE') return [{ certificateDer: der }];
  if (m[1] === 'PUBLIC KEY') return [{ spkiDer: der }];
  return [];
}

function fromProtoVerifier(v: unknown): BodyVerifier[] {
  const cert = str(obj(obj(v).x509Certificate).rawBytes);
  if (cert) return [{ certificateDer: Buffer.from(cert, 'base64') }];
  const key = str(obj(obj(v).publicKey).rawBytes);
  if (key) return [{ spkiDer: Buffer.from(key, 'base64') }];
  return [];
}

/** Extracts the verifiers of a canonicalized Rekor body; undefined for a kind relkit does not know. */
export function bodyVerifiers(canonicalizedBody: Buffer): BodyVerifier[] | undefined {
  let body: Json;
  try {
    body = obj(JSON.parse(canonicalizedBody.toString('utf8')));
  } catch {
    return undefined;
  }
  const spec = obj(body.spec);
  const kv = `${str(body.kind)}/${str(body.apiVersion)}`;
  switch (kv) {
    case 'hashedrekord/0.0.1':
      return fromPem(str(obj(obj(spec.signature).publicKey).content));
    case 'hashedrekord/0.0.2':
      return fromProtoVerifier(obj(obj(spec.hashedRekordV002).signature).verifier);
    case 'dsse/0.0.1':
      return (Array.isArray(spec.signatures) ? spec.signatures : []).flatMap((s) =>
        fromPem(str(obj(s).verifier)),
      );
    case 'dsse/0.0.2': {
      const sigs = obj(spec.dsseV002).signatures;
      return (Array.isArray(sigs) ? sigs : []).flatMap((s) => fromProtoVerifier(obj(s).verifier));
    }
    case 'intoto/0.0.2': {
      const sigs = obj(obj(obj(spec.content).envelope)).signatures;
      return (Array.isArray(sigs) ? sigs : []).flatMap((s) => fromPem(str(obj(s).publicKey)));
    }
    case 'intoto/0.0.1':
      return fromPem(str(spec.publicKey));
    default:
      return undefined;
  }
}

/**
 * True when one of the body's verifiers is the bundle's signing material: the same certificate
 * bytes, or the same public key (SPKI DER).
 */
export function bodyNamesSigner(
  verifiers: readonly BodyVerifier[],
  signer: { readonly certificateDer?: Buffer; readonly spkiDer: Buffer },
): boolean {
  return verifiers.some((v) => {
    if ('certificateDer' in v) {
      if (signer.certificateDer) return v.certificateDer.equals(signer.certificateDer);
      try {
        const spki = new X509Certificate(v.certificateDer).publicKey.export({ type: 'spki', format: 'der' });
        return spki.equals(signer.spkiDer);
      } catch {
        return false;
      }
    }
    return v.spkiDer.equals(signer.spkiDer);
  });
}
