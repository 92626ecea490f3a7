import { SignJWT } from 'jose';
import { Unauthenticated, createTokenVerifier } from './token-verifier';

const SECRET = 'a-development-secret-long-enough';
const START = Date.UTC(2026, 10, 29, 9, 0, 0);

const tokenExpiringIn = (seconds: number) =>
  new SignJWT({ name: 'Sam Lead', roles: ['subgroup'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('sam')
    .setIssuedAt(START / 1000)
    .setExpirationTime(START / 1000 + seconds)
    .sign(new TextEncoder().encode(SECRET));

describe('token verification', () => {
  let clock: number;
  const verify = createTokenVerifier({ kind: 'dev-secret', secret: SECRET }, () => clock);

  beforeEach(() => (clock = START));

  it('stops trusting a verified token once it expires, clock tolerance included', async () => {
    const token = await tokenExpiringIn(20);
    await expect(verify(token)).resolves.toMatchObject({ userId: 'sam', roles: ['subgroup'] });

    clock = START + 49_000;
    await expect(verify(token)).resolves.toMatchObject({ userId: 'sam' });
    clock = START + 51_000;
    await expect(verify(token)).rejects.toThrow(Unauthenticated);
  });

  it('trusts only the exact text it verified: a trusted token with a changed payload is refused', async () => {
    const token = await tokenExpiringIn(600);
    await verify(token);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, roles: ['chair', 'subgroup'] })).toString('base64url');
    await expect(verify(`${header}.${forged}.${signature}`)).rejects.toThrow(Unauthenticated);
    await expect(verify(token)).resolves.toMatchObject({ roles: ['subgroup'] });
  });
});
