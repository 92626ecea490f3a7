import fastifyCompress from '@fastify/compress';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { bearerToken } from '../auth/auth.guard';
import { TokenVerifier } from '../auth/token-verifier';
import { HttpConfig } from '../config/config';
import { WebSessions, cookieHeader } from '../auth/web-session';
import { AnsweredAsProblem, PROBLEM_CONTENT_TYPE, problem, sendProblem } from './problem';

/** Sign-in attempts from one address a minute: a password guesser gets a handful, a person never notices. */
export const SIGN_IN_ATTEMPTS_PER_MINUTE = 20;
/** Files any visitor may have cached: everything else is answered `no-store`. */
const PUBLIC_FILES = /^\/(assets|static)\//;

/** A client went over its share of requests: 429, with when to try again. */
export class TooManyRequests extends AnsweredAsProblem {
  readonly statusCode = 429;
  constructor(readonly retryAfter: string) {
    super(`Too many requests: try again in ${retryAfter}.`, { status: 429, code: 'too-many-requests' });
  }
}

/**
 * The one inline script the GOV.UK template has, read from the template itself: it marks the page
 * as one GOV.UK Frontend's JavaScript may start on, so the policy allows exactly that text (by its
 * hash), and no other inline script.
 */
function govukTemplateScriptHash(): string {
  const template = readFileSync(join(dirname(require.resolve('govuk-frontend/package.json')), 'dist/govuk/template.njk'), 'utf8');
  const script = /<script[^>]*>([^<]+)<\/script>/.exec(template);
  if (!script) throw new Error('The GOV.UK template has no inline script to allow: check the policy against its new version.');
  return `'sha256-${createHash('sha256').update(script[1]).digest('base64')}'`;
}

/** The pages: own scripts (and the template's one inline script) and styles only, never framed, forms posted here only. */
const PAGE_POLICY = [
  "default-src 'self'",
  `script-src 'self' ${govukTemplateScriptHash()}`,
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
/** HTTPS only from now on, for a year, outside development (which is reached over plain HTTP on one machine). */
const HSTS = { maxAge: 31_536_000, includeSubDomains: true };

/**
 * The headers of an answer given before any hook could run (the router's refusal of a URL, the HTTP
 * parser's of a request): what helmet and the edge put on every other answer.
 */
export function refusalHeaders(development: boolean): Record<string, string> {
  return {
    'content-security-policy': PAGE_POLICY,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'x-frame-options': 'SAMEORIGIN',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    ...(!development && { 'strict-transport-security': `max-age=${HSTS.maxAge}; includeSubDomains` }),
  };
}

/** Swagger UI styles itself inline; it runs no inline script either. */
const DOCS_POLICY = PAGE_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");

/**
 * What every request meets before a controller: security headers, `no-store` on anything that may
 * carry a user's data, the rate limit, and refusal of URLs that hold NUL.
 */
export async function setUpHttpEdge(
  app: NestFastifyApplication,
  options: Readonly<{ http: HttpConfig; development: boolean; verifyToken: TokenVerifier; sessions: WebSessions }>,
): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'same-origin' },
    // Development is reached over plain HTTP on this machine; everywhere else, HTTPS only from now on.
    strictTransportSecurity: options.development ? false : HSTS,
  });
  // Pages, answers and files over 1 KiB, brotli or gzip as the client takes them. A page's form
  // token is masked afresh each time (WebSessions.csrfToken), so compression gives nothing of it away.
  await app.register(fastifyCompress, { global: true, threshold: 1024, encodings: ['br', 'gzip'] });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('content-security-policy', request.url.startsWith('/docs') ? DOCS_POLICY : PAGE_POLICY);
    if (!PUBLIC_FILES.test(request.url)) reply.header('cache-control', 'no-store');
    // PostgreSQL text cannot hold NUL: a path or query that decodes to one is refused before it gets near a query.
    if (/%00|\0/i.test(request.url)) {
      sendProblem(reply, problem(400, 'The address must not contain NUL characters.'));
      return reply;
    }
  });
  const perMinute = options.http.rateLimitPerMinute;
  if (perMinute === 0) return;
  await app.register(fastifyRateLimit, {
    global: true,
    timeWindow: 60_000,
    keyGenerator: (request) => rateLimitKey(request, options),
    max: (_request, key) => (key.startsWith('sign-in:') ? Math.min(SIGN_IN_ATTEMPTS_PER_MINUTE, perMinute) : perMinute),
    errorResponseBuilder: (_request, context) => new TooManyRequests(context.after),
  });
}

/** A signed-in user's requests count together wherever they come from; anyone else's by address. */
async function rateLimitKey(
  request: FastifyRequest,
  { verifyToken, sessions }: { verifyToken: TokenVerifier; sessions: WebSessions },
): Promise<string> {
  if (isSignInAttempt(request)) return `sign-in:${request.ip}`;
  const token = bearerToken(request.headers.authorization);
  if (token) {
    const actor = await verifyToken(token).catch(() => undefined);
    if (actor) return `user:${actor.userId}`;
  }
  const session = sessions.sessionId(cookieHeader(request));
  return session ? `session:${session}` : `address:${request.ip}`;
}

const isSignInAttempt = ({ method, url }: FastifyRequest) =>
  method === 'POST' ? /^\/sign-in(\?|$)/.test(url) : /^\/sign-in\/(oidc|callback)(\?|$)/.test(url);

/** The router's own refusals (a URL that does not decode, a parameter too long) as problem+json, with every answer's headers. */
export function routerErrorFor(development: boolean) {
  const headers = refusalHeaders(development);
  return (error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
    const detail = status === 414 ? 'The address is too long.' : 'The address is not a valid URL.';
    reply.headers(headers);
    sendProblem(reply, problem(status, detail));
  };
}

/**
 * What Node's HTTP parser refuses before there is a request (headers too large, a body that did not
 * arrive in time, bytes that are not HTTP): answered as problem+json on the socket, then closed.
 */
export function clientErrorFor(development: boolean) {
  const headers = Object.entries(refusalHeaders(development))
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (error: Error & { code?: string }, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, detail] =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'The request did not arrive in time.']
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'The request line or headers are too large.']
          : [400, 'The request is not valid HTTP.'];
    const body = JSON.stringify(problem(status, detail));
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headers}Connection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}
