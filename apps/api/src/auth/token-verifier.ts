import { JWTPayload, createRemoteJWKSet, jwtVerify } from 'jose';
import { Actor, ROLES, Role } from '@app/domain';
import { AuthConfig } from '../config/config';
import { AnsweredAsProblem } from '../http/problem';

/** The bearer token is missing, malformed, expired, badly signed or unacceptable: 401. */
export class Unauthenticated extends AnsweredAsProblem {
  constructor(message: string) {
    super(message, { status: 401 });
  }
}

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

/** How long a verified token is taken on trust before its signature is checked again. */
const TRUSTED_FOR_MS = 60_000;
const MOST_TRUSTED_TOKENS = 5_000;

type Trusted = Readonly<{ actor: Actor; until: number }>;

/**
 * Tokens whose signature and claims were verified, by their exact text: a client sends the same
 * token with every request, and checking its signature each time cost 35 to 80 µs here, 5 to 10%
 * of a write. A token is trusted until it expires (with the clock tolerance) or for a minute,
 * whichever is sooner: a withdrawn signing key keeps working at most a minute longer than jose's
 * cached key set (10 minutes) lets it. Oldest first out when full.
 */
class TrustedTokens {
  private readonly tokens = new Map<string, Trusted>();

  get(token: string, now: number): Actor | undefined {
    const trusted = this.tokens.get(token);
    if (trusted && now < trusted.until) return trusted.actor;
    if (trusted) this.tokens.delete(token);
    return undefined;
  }

  trust(token: string, payload: JWTPayload, actor: Actor, now: number): void {
    if (this.tokens.size >= MOST_TRUSTED_TOKENS) this.tokens.delete(this.tokens.keys().next().value!);
    const expires = (payload.exp! + CLOCK_TOLERANCE_SECONDS) * 1000;
    this.tokens.set(token, { actor, until: Math.min(expires, now + TRUSTED_FOR_MS) });
  }
}

/**
 * Verifies bearer JWTs. HS256 with a shared secret in development and tests; in production,
 * RS256 or ES256 keys from the identity provider's JWKS, with issuer and audience always checked.
 * Algorithms are pinned, `exp` is required and clocks may differ by 30 seconds at most.
 */
export function createTokenVerifier(config: AuthConfig, now: () => number = Date.now): TokenVerifier {
  const common = { requiredClaims: ['exp', 'sub'], clockTolerance: CLOCK_TOLERANCE_SECONDS };
  const verify =
    config.kind === 'jwks'
      ? (() => {
          const keys = createRemoteJWKSet(new URL(config.jwksUrl));
          const options = { ...common, algorithms: ['RS256', 'ES256'], issuer: config.issuer, audience: config.audience };
          return (token: string, currentDate: Date) => jwtVerify(token, keys, { ...options, currentDate });
        })()
      : (() => {
          // Imported once: given raw bytes or a KeyObject, jose would import a CryptoKey for every token.
          const key = crypto.subtle.importKey('raw', Buffer.from(config.secret, 'utf8'), { name: 'HMAC', hash: 'SHA-256' }, false, [
            'verify',
          ]);
          const options = { ...common, algorithms: ['HS256'], issuer: config.issuer, audience: config.audience };
          return async (token: string, currentDate: Date) => jwtVerify(token, await key, { ...options, currentDate });
        })();
  const trusted = new TrustedTokens();
  return async (token) => {
    const at = now();
    const known = trusted.get(token, at);
    if (known) return known;
    try {
      const { payload } = await verify(token, new Date(at));
      const actor = actorFrom(payload);
      trusted.trust(token, payload, actor, at);
      return actor;
    } catch (error) {
      if (error instanceof Unauthenticated) throw error;
      throw new Unauthenticated('The bearer token is not valid.');
    }
  };
}
