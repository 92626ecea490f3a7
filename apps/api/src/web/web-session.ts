import { Inject, Injectable } from '@nestjs/common';
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { Actor, ROLES, Role } from '@app/domain';
import { WebConfig } from '../config/config';

export const WEB_CONFIG = Symbol('WebConfig');
export const SESSION_COOKIE = 'la_session';
const SESSION_HOURS = 8;

/** Who is signed in to the web pages, and the session's id, which each form's CSRF token is bound to. */
export type WebSession = Readonly<{ actor: Actor; id: string }>;

/**
 * The web session: a signed JWT in an HttpOnly, SameSite=Lax cookie (Secure outside development),
 * holding only who signed in. Forms carry a CSRF token, an HMAC of the session id.
 */
@Injectable()
export class WebSessions {
  private readonly secret: Uint8Array;

  constructor(@Inject(WEB_CONFIG) private readonly config: WebConfig) {
    this.secret = config.sessionSecret ? new TextEncoder().encode(config.sessionSecret) : randomBytes(32);
  }

  async start(actor: Actor): Promise<{ cookie: string; session: WebSession }> {
    const id = randomUUID();
    const token = await new SignJWT({ name: actor.name, roles: actor.roles, ...(actor.partnerId && { partner: actor.partnerId }) })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(actor.userId)
      .setJti(id)
      .setIssuedAt()
      .setExpirationTime(`${SESSION_HOURS}h`)
      .sign(this.secret);
    return { cookie: this.cookie(token, SESSION_HOURS * 3600), session: { actor, id } };
  }

  endCookie(name = SESSION_COOKIE): string {
    return this.cookie('', 0, name);
  }

  /** A short-lived signed cookie for state a browser must carry between two requests (a sign-in's PKCE verifier). */
  async sealedCookie(name: string, claims: Record<string, string>, minutes: number): Promise<string> {
    const token = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setAudience(name).setExpirationTime(`${minutes}m`).sign(this.secret);
    return this.cookie(token, minutes * 60, name);
  }

  async unseal(name: string, cookieHeader: string | undefined): Promise<Record<string, unknown> | undefined> {
    const token = parseCookies(cookieHeader)[name];
    if (!token) return undefined;
    try {
      return (await jwtVerify(token, this.secret, { algorithms: ['HS256'], audience: name, requiredClaims: ['exp'] })).payload;
    } catch {
      return undefined;
    }
  }

  async read(cookieHeader: string | undefined): Promise<WebSession | undefined> {
    const token = parseCookies(cookieHeader)[SESSION_COOKIE];
    if (!token) return undefined;
    try {
      const { payload } = await jwtVerify(token, this.secret, { algorithms: ['HS256'], requiredClaims: ['exp', 'sub', 'jti'] });
      const roles = (Array.isArray(payload.roles) ? payload.roles : []).filter((role): role is Role => ROLES.includes(role as Role));
      const actor: Actor = {
        userId: payload.sub!,
        name: String(payload.name ?? payload.sub),
        roles,
        ...(typeof payload.partner === 'string' && { partnerId: payload.partner }),
      };
      return { actor, id: payload.jti! };
    } catch {
      return undefined;
    }
  }

  csrfToken(session: WebSession): string {
    return createHmac('sha256', this.secret).update(`csrf:${session.id}`).digest('base64url');
  }

  isValidCsrf(session: WebSession, token: unknown): boolean {
    if (typeof token !== 'string') return false;
    const expected = Buffer.from(this.csrfToken(session));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private cookie(value: string, maxAgeSeconds: number, name = SESSION_COOKIE): string {
    return [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAgeSeconds}`, ...(this.config.secureCookies ? ['Secure'] : [])].join('; ');
  }
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0) cookies[part.slice(0, index).trim()] = part.slice(index + 1).trim();
  }
  return cookies;
}
