import { Inject, Injectable } from '@nestjs/common';
import * as oidc from 'openid-client';
import { Actor, ROLES, Role } from '@app/domain';
import { WebConfig } from '../config/config';
import { WEB_CONFIG } from '../auth/web-session';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export class NoRoleHere extends Error {}

/** The provider's answer was not a sign-in: the user cancelled, the provider refused, or the answer does not match the request. */
export class SignInNotFinished extends Error {}

/**
 * Sign-in through the partner agencies' OpenID Connect provider: authorization code flow with PKCE
 * (S256) and state, the ID token's `roles` and `partner` claims mapped to the contract's roles.
 */
@Injectable()
export class OidcSignIn {
  private configuration?: Promise<oidc.Configuration>;

  constructor(@Inject(WEB_CONFIG) private readonly config: WebConfig) {}

  get enabled(): boolean {
    return this.config.oidc !== undefined;
  }

  get redirectUrl(): string {
    return this.config.oidc!.redirectUrl;
  }

  async start(): Promise<{ url: string; verifier: string; state: string }> {
    const configuration = await this.discover();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.config.oidc!.redirectUrl,
      scope: 'openid profile roles',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    return { url: url.href, verifier, state };
  }

  async finish(callbackUrl: URL, verifier: string, state: string): Promise<Actor> {
    const configuration = await this.discover();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        idTokenExpected: true,
      });
    } catch (error) {
      if (error instanceof oidc.AuthorizationResponseError)
        throw new SignInNotFinished(
          error.error === 'access_denied' ? 'Sign-in was cancelled.' : 'The identity provider did not sign you in.',
        );
      throw new SignInNotFinished(
        'The answer from the identity provider could not be checked: it may be out of date, or not for this sign-in.',
      );
    }
    const claims = tokens.claims()!;
    const roles = (Array.isArray(claims.roles) ? claims.roles : []).filter((role): role is Role => ROLES.includes(role as Role));
    const partner = typeof claims.partner === 'string' ? claims.partner : undefined;
    if (roles.length === 0) throw new NoRoleHere('Your account has no role in this service.');
    if (roles.includes('partner') && !partner) throw new NoRoleHere('Your account is a partner lead without a partner agency.');
    return {
      userId: claims.sub,
      name: typeof claims.name === 'string' ? claims.name : claims.sub,
      roles,
      ...(partner && { partnerId: partner }),
    };
  }

  private discover(): Promise<oidc.Configuration> {
    const { issuerUrl, clientId, clientSecret } = this.config.oidc!;
    const issuer = new URL(issuerUrl);
    // Plain HTTP only to a provider on this machine (development and tests); anywhere else, HTTPS.
    const execute = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname) ? [oidc.allowInsecureRequests] : [];
    this.configuration ??= oidc.discovery(issuer, clientId, clientSecret, undefined, { execute }).catch((error: unknown) => {
      this.configuration = undefined;
      throw error;
    });
    return this.configuration;
  }
}
