import { JWTPayload, createRemoteJWKSet, jwtVerify } from 'jose';
import { Actor, ROLES, Role } from '@app/domain';
import { AuthConfig } from '../config/config';

/** The bearer token is missing, malformed, expired, badly signed or unacceptable: 401. */
export class Unauthenticated extends Error {}

export const TOKEN_VERIFIER = Symbol('TokenVerifier');
export type TokenVerifier = (token: string) => Promise<Actor>;

const CLOCK_TOLERANCE_SECONDS = 30;

function actorFrom(payload: JWTPayload): Actor {
  const { sub, name, roles, partner } = payload as JWTPayload & Record<string, unknown>;
  if (typeof sub !== 'string' || sub.length === 0) throw new Unauthenticated('The token has no subject.');
  if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string')) {
    throw new Unauthenticated('The token has no roles claim (an array of role names).');
  }
  if (partner !== undefined && typeof partner !== 'string') throw new Unauthenticated('The partner claim must be a string.');
  const known = roles.filter((role): role is Role => (ROLES as readonly string[]).includes(role));
  if (known.includes('partner') && !partner) throw new Unauthenticated('A partner user needs a partner claim.');
  return { userId: sub, name: typeof name === 'string' ? name : sub, roles: known, partnerId: partner || undefined };
}

/**
 * Verifies bearer JWTs. HS256 with a shared secret in development and tests; in production,
 * RS256 or ES256 keys from the identity provider's JWKS, with issuer and audience always checked.
 * Algorithms are pinned, `exp` is required and clocks may differ by 30 seconds at most.
 */
export function createTokenVerifier(config: AuthConfig): TokenVerifier {
  const common = { requiredClaims: ['exp', 'sub'], clockTolerance: CLOCK_TOLERANCE_SECONDS };
  const verify =
    config.kind === 'jwks'
      ? (() => {
          const keys = createRemoteJWKSet(new URL(config.jwksUrl));
          const options = { ...common, algorithms: ['RS256', 'ES256'], issuer: config.issuer, audience: config.audience };
          return (token: string) => jwtVerify(token, keys, options);
        })()
      : (() => {
          // Imported once: given raw bytes or a KeyObject, jose would import a CryptoKey for every token.
          const key = crypto.subtle.importKey('raw', Buffer.from(config.secret, 'utf8'), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
          const options = { ...common, algorithms: ['HS256'], issuer: config.issuer, audience: config.audience };
          return async (token: string) => jwtVerify(token, await key, options);
        })();
  return async (token) => {
    try {
      const { payload } = await verify(token);
      return actorFrom(payload);
    } catch (error) {
      if (error instanceof Unauthenticated) throw error;
      throw new Unauthenticated('The bearer token is not valid.');
    }
  };
}
