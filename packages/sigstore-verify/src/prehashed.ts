import { constants, publicDecrypt, type KeyObject } from 'node:crypto';

/**
 * Verifies a signature over a pre-computed digest. Node's crypto always hashes the message
 * itself, so the sigstore-conformance "digest mode" (the artifact given as sha256:<hex>) needs
 * this: ECDSA on P-256 / P-384 with plain BigInt arithmetic (public data only, so constant time
 * does not matter), and RSA PKCS#1 v1.5 by recovering the DigestInfo.
 */
export function verifyPrehashed(key: KeyObject, digest: Buffer, signature: Buffer): boolean {
  try {
    if (key.asymmetricKeyType === 'ec') return verifyEcdsa(key, digest, signature);
    if (key.asymmetricKeyType === 'rsa') return verifyRsaPkcs1(key, digest, signature);
  } catch {
    return false;
  }
  return false;
}

interface Curve {
  readonly p: bigint;
  readonly n: bigint;
  readonly a: bigint;
  readonly gx: bigint;
  readonly gy: bigint;
  readonly bits: number;
}

const CURVES: Record<string, Curve> = {
  'P-256': {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    a: 0xffffffff00000001000000000000000000000000fffffffffffffffffffffffcn,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
    bits: 256,
  },
  'P-384': {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    a: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffcn,
    gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
    bits: 384,
  },
};

const toBig = (b: Uint8Array) => (b.length === 0 ? 0n : BigInt(`0x${Buffer.from(b).toString('hex')}`));
const mod = (x: bigint, m: bigint) => ((x % m) + m) % m;

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b = mod(b, m);
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

type Jacobian = readonly [bigint, bigint, bigint];
const INF: Jacobian = [0n, 1n, 0n];

function double(c: Curve, [x, y, z]: Jacobian): Jacobian {
  if (z === 0n || y === 0n) return INF;
  const p = c.p;
  const y2 = (y * y) % p;
  const s = (4n * x * y2) % p;
  const z2 = (z * z) % p;
  const m = mod(3n * x * x + c.a * z2 * z2, p);
  const x3 = mod(m * m - 2n * s, p);
  const y3 = mod(m * (s - x3) - 8n * y2 * y2, p);
  return [x3, y3, (2n * y * z) % p];
}

function add(c: Curve, a: Jacobian, b: Jacobian): Jacobian {
  if (a[2] === 0n) return b;
  if (b[2] === 0n) return a;
  const p = c.p;
  const z1z1 = (a[2] * a[2]) % p;
  const z2z2 = (b[2] * b[2]) % p;
  const u1 = (a[0] * z2z2) % p;
  const u2 = (b[0] * z1z1) % p;
  const s1 = (a[1] * z2z2 * b[2]) % p;
  const s2 = (b[1] * z1z1 * a[2]) % p;
  if (u1 === u2) return s1 === s2 ? double(c, a) : INF;
  const h = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  const h2 = (h * h) % p;
  const h3 = (h2 * h) % p;
  const x3 = mod(r * r - h3 - 2n * u1 * h2, p);
  const y3 = mod(r * (u1 * h2 - x3) - s1 * h3, p);
  return [x3, y3, (h * a[2] * b[2]) % p];
}

/** u1·G + u2·Q with one shared double-and-add pass (Shamir's trick). */
function twoMul(c: Curve, u1: bigint, g: Jacobian, u2: bigint, q: Jacobian): Jacobian {
  const gq = add(c, g, q);
  let r = INF;
  const bits = Math.max(u1.toString(2).length, u2.toString(2).length);
  for (let i = bits - 1; i >= 0; i--) {
    r = double(c, r);
    const b1 = (u1 >> BigInt(i)) & 1n;
    const b2 = (u2 >> BigInt(i)) & 1n;
    if (b1 && b2) r = add(c, r, gq);
    else if (b1) r = add(c, r, g);
    else if (b2) r = add(c, r, q);
  }
  return r;
}

/** DER Ecdsa-Sig-Value: SEQUENCE { INTEGER r, INTEGER s }. */
function parseDerSignature(sig: Buffer): [bigint, bigint] | undefined {
  let i = 0;
  const len = (): number => {
    const l = sig[i++]!;
    if (l < 0x80) return l;
    const n = l & 0x7f;
    let v = 0;
    for (let k = 0; k < n; k++) v = v * 256 + sig[i++]!;
    return v;
  };
  if (sig[i++] !== 0x30) return undefined;
  const total = len();
  if (i + total !== sig.length) return undefined;
  const ints: bigint[] = [];
  for (let k = 0; k < 2; k++) {
    if (sig[i++] !== 0x02) return undefined;
    const l = len();
    ints.push(toBig(sig.subarray(i, i + l)));
    i += l;
  }
  return i === sig.length ? [ints[0]!, ints[1]!] : undefined;
}

function verifyEcdsa(key: KeyObject, digest: Buffer, signature: Buffer): boolean {
  const jwk = key.export({ format: 'jwk' });
  const c = jwk.crv ? CURVES[jwk.crv] : undefined;
  if (!c || !jwk.x || !jwk.y) return false;
  const rs = parseDerSignature(signature);
  if (!rs) return false;
  const [r, s] = rs;
  if (r <= 0n || r >= c.n || s <= 0n || s >= c.n) return false;
  let e = toBig(digest);
  const excess = digest.length * 8 - c.bits;
  if (excess > 0) e >>= BigInt(excess);
  const w = modPow(s, c.n - 2n, c.n);
  const u1 = mod(e * w, c.n);
  const u2 = mod(r * w, c.n);
  const q: Jacobian = [toBig(Buffer.from(jwk.x, 'base64url')), toBig(Buffer.from(jwk.y, 'base64url')), 1n];
  const [x, , z] = twoMul(c, u1, [c.gx, c.gy, 1n], u2, q);
  if (z === 0n) return false;
  const zInv = modPow(z, c.p - 2n, c.p);
  const ax = (x * zInv * zInv) % c.p;
  return ax % c.n === r;
}

/** DER DigestInfo prefixes for PKCS#1 v1.5, by digest length. */
const DIGEST_INFO: Record<number, string> = {
  32: '3031300d060960864801650304020105000420',
  48: '3041300d060960864801650304020205000430',
  64: '3051300d060960864801650304020305000440',
};

function verifyRsaPkcs1(key: KeyObject, digest: Buffer, signature: Buffer): boolean {
  const prefix = DIGEST_INFO[digest.length];
  if (!prefix) return false;
  const recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
  return recovered.equals(Buffer.concat([Buffer.from(prefix, 'hex'), digest]));
}
