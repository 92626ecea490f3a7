import { Inject, Injectable } from '@nestjs/common';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { Pool } from 'pg';
import { Actor, ROLES } from '@app/domain';
import { CLOCK, Clock } from '../clock/clock';
import { WebConfig } from '../config/config';
import { DATABASE_POOL } from '../database/database-pool';

export const WEB_CONFIG = Symbol('WebConfig');
export const SESSION_COOKIE = 'la_session';
/** However active, a session ends this long after sign-in. */
const SESSION_HOURS = 8;

/** Who is signed in to the web pages, and the session's id, which each form's CSRF token is bound to. */
export type WebSession = Readonly<{ actor: Actor; id: string }>;

const minutesBefore = (instant: Date, minutes: number) => new Date(instant.getTime() - minutes * 60_000);

/**
 * Web sessions, kept in PostgreSQL so that signing out ends one for every instance at once. The
 * cookie (HttpOnly, SameSite=Lax, Secure outside development) holds a random id and its HMAC; the
 * table keeps only the id's hash, who signed in, and when the session was last used: one idle for
 * `sessionIdleMinutes`, or older than eight hours, is over. Forms carry a CSRF token, an HMAC of the
 * session id.
 */
@Injectable()
export class WebSessions {
  private readonly secret: Uint8Array;

  constructor(
    @Inject(WEB_CONFIG) private readonly config: WebConfig,
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.secret = config.sessionSecret ? new TextEncoder().encode(config.sessionSecret) : randomBytes(32);
  }

  async start(actor: Actor): Promise<{ cookie: string; session: WebSession }> {
    const id = randomBytes(32).toString('base64url');
    const now = this.clock();
    // Sessions over in any case are cleared as a new one begins, in the same statement.
    await this.pool.query(
      `WITH cleared AS (DELETE FROM web_sessions WHERE last_seen_at < $4)
       INSERT INTO web_sessions (id_hash, actor, started_at, last_seen_at) VALUES ($1, $2, $3, $3)`,
      [idHash(id), actor, now, minutesBefore(now, SESSION_HOURS * 60)],
    );
    return { cookie: this.cookie(`${id}.${this.mac(id)}`, SESSION_HOURS * 3600), session: { actor, id } };
  }

  /** The live session the cookie names, which this request keeps alive; undefined when there is none. */
  async read(cookieHeader: string | undefined): Promise<WebSession | undefined> {
    const id = this.sessionId(cookieHeader);
    if (!id) return undefined;
    const now = this.clock();
    const { rows } = await this.pool.query<{ actor: Actor }>(
      `UPDATE web_sessions SET last_seen_at = $2
        WHERE id_hash = $1 AND ended_at IS NULL AND last_seen_at > $3 AND started_at > $4
        RETURNING actor`,
      [idHash(id), now, minutesBefore(now, this.config.sessionIdleMinutes), minutesBefore(now, SESSION_HOURS * 60)],
    );
    if (rows.length === 0) return undefined;
    const { userId, name, roles, partnerId } = rows[0].actor;
    const actor: Actor = { userId, name, roles: roles.filter((role) => ROLES.includes(role)), ...(partnerId && { partnerId }) };
    return { actor, id };
  }

  /** Signs out: the cookie's session no longer works, here or on any other instance. */
  async end(cookieHeader: string | undefined): Promise<void> {
    const id = this.sessionId(cookieHeader);
    if (id)
      await this.pool.query('UPDATE web_sessions SET ended_at = $2 WHERE id_hash = $1 AND ended_at IS NULL', [idHash(id), this.clock()]);
  }

  /**
   * The session id the cookie carries, when this service made it (its HMAC holds), whether or not the
   * session is still live: enough to tell one browser from another without a query.
   */
  sessionId(cookieHeader: string | undefined): string | undefined {
    const [id, mac, ...rest] = (parseCookies(cookieHeader)[SESSION_COOKIE] ?? '').split('.');
    return id && mac && rest.length === 0 && sameText(mac, this.mac(id)) ? id : undefined;
  }

  endCookie(name = SESSION_COOKIE): string {
    return this.cookie('', 0, name);
  }

  /** A short-lived signed cookie for state a browser must carry between two requests (a sign-in's PKCE verifier). */
  async sealedCookie(name: string, claims: Record<string, string>, minutes: number): Promise<string> {
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience(name)
      .setExpirationTime(`${minutes}m`)
      .sign(this.secret);
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

  /**
   * The form's token: the session's MAC masked with a pad drawn afresh for every page, so that no
   * two pages carry the same bytes and a compressed page reveals nothing of it however many an
   * attacker has one sent (BREACH).
   */
  csrfToken(session: WebSession): string {
    const pad = randomBytes(CSRF_BYTES);
    return `${pad.toString('base64url')}.${xor(this.csrfMac(session), pad).toString('base64url')}`;
  }

  isValidCsrf(session: WebSession, token: unknown): boolean {
    if (typeof token !== 'string') return false;
    const [pad, masked, ...rest] = token.split('.').map((part) => Buffer.from(part, 'base64url'));
    if (rest.length > 0 || pad?.length !== CSRF_BYTES || masked?.length !== CSRF_BYTES) return false;
    return timingSafeEqual(xor(masked, pad), this.csrfMac(session));
  }

  private csrfMac(session: WebSession): Buffer {
    return createHmac('sha256', this.secret).update(`csrf:${session.id}`).digest();
  }

  private mac(text: string): string {
    return createHmac('sha256', this.secret).update(text).digest('base64url');
  }

  private cookie(value: string, maxAgeSeconds: number, name = SESSION_COOKIE): string {
    return [
      `${name}=${value}`,
      'Path=/',
      'HttpOnly',
      'SameSite=Lax',
      `Max-Age=${maxAgeSeconds}`,
      ...(this.config.development ? [] : ['Secure']),
    ].join('; ');
  }
}

/** The bytes of a form token: a SHA-256 MAC, and its pad. */
const CSRF_BYTES = 32;
const xor = (bytes: Buffer, pad: Buffer): Buffer => Buffer.from(bytes.map((byte, index) => byte ^ pad[index]));

const idHash = (id: string) => createHash('sha256').update(id).digest();

function sameText(given: string, expected: string): boolean {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0) cookies[part.slice(0, index).trim()] = part.slice(index + 1).trim();
  }
  return cookies;
}

export function cookieHeader(request: { headers: Record<string, string | string[] | undefined> }): string | undefined {
  const cookie = request.headers.cookie;
  return Array.isArray(cookie) ? cookie.join('; ') : cookie;
}
