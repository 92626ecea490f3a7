import { ConfigError, DatabaseConfig, EventStoreConfig, loadDatabaseConfig, loadEventStoreConfig, parseUrl } from '@app/infrastructure';
import { mailbox } from '@app/domain';

export type AuthConfig =
  | Readonly<{ kind: 'dev-secret'; secret: string; issuer?: string; audience?: string }>
  | Readonly<{ kind: 'jwks'; jwksUrl: string; issuer: string; audience: string }>;

export type AppConfig = DatabaseConfig &
  EventStoreConfig &
  Readonly<{
    port: number;
    auth: AuthConfig;
    logLevel: string;
    audit: AuditConfig;
    /** Positions between two tallies of the action counts: a count reads at most about this many changes besides a tally. */
    actionTallyEvery: number;
    web: WebConfig;
    http: HttpConfig;
    mail: MailConfig;
  }>;

/** Notifications by mail: off (and said so by /health/ready) without an SMTP server. */
export type MailConfig =
  | Readonly<{ enabled: false; why: string }>
  | Readonly<{
      enabled: true;
      smtpUrl: string;
      from: string;
      /** The service's address as its users reach it: links in mail start with it. */
      publicUrl: string;
      /** The subgroup's shared mailbox; unset, the subgroup's mail is not sent. */
      subgroupEmail?: string;
      sweepSeconds: number;
      /** What was assumed for a setting left unset, said at start and by /health/ready. */
      assumed: readonly string[];
    }>;

export type HttpConfig = Readonly<{
  /** Requests a minute per signed-in user, or per client address, before 429; 0: no limit. */
  rateLimitPerMinute: number;
  /** A request whose body has not all arrived by then is answered 408 and its connection closed. */
  requestTimeoutSeconds: number;
  /**
   * Which proxies in front of the service to believe about the client's address (X-Forwarded-For):
   * how many hops, or their addresses; unset, none, and every client behind a proxy is the proxy.
   */
  trustProxy: number | string[] | false;
}>;

export type OidcConfig = Readonly<{ issuerUrl: string; clientId: string; clientSecret: string; redirectUrl: string }>;

export type WebConfig = Readonly<{
  /** Signs the web session cookie; unset: a random one per process (sessions end at restart). */
  sessionSecret?: string;
  /**
   * Development (HS256 dev tokens, never beside production sign-in): the page to sign in as a
   * demonstration user, cookies without Secure and no Strict-Transport-Security, for plain HTTP here.
   */
  development: boolean;
  /** Load the demonstration partnership into an empty store at start, and why (the start-up log says it). */
  demo: Readonly<{ load: boolean; because: string }>;
  /** A web session ends after this long without a request, and after SESSION_HOURS whatever happens. */
  sessionIdleMinutes: number;
  /** Sign-in through the partner agencies' OpenID Connect provider; unset: the development sign-in page. */
  oidc?: OidcConfig;
  /** The protective marking printed at the top and foot of every printed page, as the partnership classifies what it holds. */
  protectiveMarking: string;
}>;

export type AuditConfig = Readonly<{
  /** The Ed25519 private key (PKCS#8 PEM) that signs checkpoints; unset: a key file under DATA_DIR, made on first start. */
  signingKey?: string;
  checkpointEvery: number;
  checkpointMinutes: number;
}>;

const MIN_DEV_SECRET_LENGTH = 16;

/** A marking such as OFFICIAL-SENSITIVE: one line of at most 60 printable characters. */
function protectiveMarking(given: string | undefined): string {
  const marking = (given ?? 'OFFICIAL-SENSITIVE').trim();
  if (!/^[\p{L}\p{N}\p{P}\p{Zs}]{1,60}$/u.test(marking)) {
    throw new ConfigError(
      'PROTECTIVE_MARKING must be one line of 1 to 60 letters, digits, spaces and punctuation, such as OFFICIAL-SENSITIVE.',
    );
  }
  return marking;
}

function authConfig(env: NodeJS.ProcessEnv): AuthConfig {
  const { AUTH_DEV_SECRET: secret, AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience } = env;
  if (secret && (jwksUrl || env.OIDC_ISSUER_URL)) {
    throw new ConfigError('AUTH_DEV_SECRET is set beside production sign-in (AUTH_JWKS_URL or OIDC_ISSUER_URL): unset AUTH_DEV_SECRET.');
  }
  if (jwksUrl) {
    if (!issuer || !audience) throw new ConfigError('AUTH_JWKS_URL needs AUTH_ISSUER and AUTH_AUDIENCE set too.');
    return { kind: 'jwks', jwksUrl: parseUrl('AUTH_JWKS_URL', jwksUrl, ['https:', 'http:']), issuer, audience };
  }
  if (secret) {
    if (secret.length < MIN_DEV_SECRET_LENGTH) {
      throw new ConfigError(`AUTH_DEV_SECRET must be at least ${MIN_DEV_SECRET_LENGTH} characters long.`);
    }
    return { kind: 'dev-secret', secret, issuer: issuer || undefined, audience: audience || undefined };
  }
  throw new ConfigError(
    'No authentication configured: set AUTH_DEV_SECRET (development and tests) or AUTH_JWKS_URL with AUTH_ISSUER and AUTH_AUDIENCE (production).',
  );
}

function wholeNumber(name: string, value: string | undefined, fallback: number, least = 0): number {
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < least) throw new ConfigError(`${name} must be a whole number, ${least} or more.`);
  return number;
}

const positiveInteger = (name: string, value: string | undefined, fallback: number) => wholeNumber(name, value, fallback, 1);

export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('PORT must be a port number.');
  const auth = authConfig(env);
  const database = loadDatabaseConfig(env);
  return {
    port,
    ...database,
    ...loadEventStoreConfig(env),
    auth,
    logLevel: env.LOG_LEVEL || 'info',
    audit: {
      signingKey: env.AUDIT_SIGNING_KEY || undefined,
      checkpointEvery: positiveInteger('AUDIT_CHECKPOINT_EVERY', env.AUDIT_CHECKPOINT_EVERY, 1000),
      checkpointMinutes: positiveInteger('AUDIT_CHECKPOINT_MINUTES', env.AUDIT_CHECKPOINT_MINUTES, 10),
    },
    actionTallyEvery: positiveInteger('ACTION_TALLY_EVERY', env.ACTION_TALLY_EVERY, 5_000),
    web: webConfig(env, auth, database),
    http: {
      rateLimitPerMinute: wholeNumber('RATE_LIMIT_PER_MINUTE', env.RATE_LIMIT_PER_MINUTE, 1200),
      requestTimeoutSeconds: positiveInteger('REQUEST_TIMEOUT_SECONDS', env.REQUEST_TIMEOUT_SECONDS, 30),
      trustProxy: trustedProxies(env.TRUST_PROXY),
    },
    mail: mailConfig(env, port),
  };
}

const isMailbox = (address: string) => mailbox(address) === undefined;
/** A sender may have a name people see, on one line: "Safeguarding partnership <actions@partnership.gov.uk>". */
const NAMED = /^([^<>@\p{C}]+) <([^<>]+)>$/u;
const isSender = (from: string) => isMailbox(from) || (NAMED.test(from) && isMailbox(NAMED.exec(from)![2]));

function mailConfig(env: NodeJS.ProcessEnv, port: number): MailConfig {
  const { SMTP_URL: smtpUrl, SUBGROUP_EMAIL: subgroupEmail } = env;
  const sweepSeconds = positiveInteger('REMINDER_SWEEP_SECONDS', env.REMINDER_SWEEP_SECONDS, 3600);
  if (!smtpUrl) return { enabled: false, why: 'SMTP_URL is not set: no mail is sent' };
  const publicUrl = env.PUBLIC_URL
    ? parseUrl('PUBLIC_URL', env.PUBLIC_URL, ['https:', 'http:']).replace(/\/+$/, '')
    : `http://localhost:${port}`;
  const from = env.MAIL_FROM || `learning-actions@${new URL(publicUrl).hostname}`;
  if (env.MAIL_FROM && !isSender(from)) {
    throw new ConfigError('MAIL_FROM must be one mail address, like actions@partnership.gov.uk, with a name before it in <> if you like.');
  }
  if (subgroupEmail && !isMailbox(subgroupEmail)) {
    throw new ConfigError('SUBGROUP_EMAIL must be one mail address, like subgroup@partnership.gov.uk.');
  }
  const assumed = [
    !env.PUBLIC_URL && `PUBLIC_URL is not set: links in mail start with ${publicUrl}, which only this machine reaches`,
    !env.MAIL_FROM && `MAIL_FROM is not set: mail is sent from ${from}`,
  ].filter((warning): warning is string => Boolean(warning));
  return {
    enabled: true,
    smtpUrl: parseUrl('SMTP_URL', smtpUrl, ['smtp:', 'smtps:']),
    from,
    publicUrl,
    subgroupEmail: subgroupEmail || undefined,
    sweepSeconds,
    assumed,
  };
}

function trustedProxies(value: string | undefined): HttpConfig['trustProxy'] {
  if (!value) return false;
  if (/^\d+$/.test(value)) return Number(value);
  const addresses = value.split(',').map((address) => address.trim());
  if (addresses.some((address) => !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(address))) {
    throw new ConfigError("TRUST_PROXY must be a number of proxy hops, or the proxies' addresses (or CIDR ranges) separated by commas.");
  }
  return addresses;
}

/** DEMO: on only for the embedded default with development auth, unless said otherwise. */
function demoConfig(env: NodeJS.ProcessEnv, auth: AuthConfig, database: DatabaseConfig): WebConfig['demo'] {
  if (env.DEMO === 'on') return { load: true, because: 'DEMO=on' };
  if (env.DEMO === 'off') return { load: false, because: 'DEMO=off' };
  if (env.DEMO) throw new ConfigError(`DEMO must be 'on' or 'off', not '${env.DEMO}'.`);
  if (database.databaseUrl) return { load: false, because: 'DATABASE_URL is set (DEMO=on to load it anyway)' };
  if (auth.kind !== 'dev-secret' || env.OIDC_ISSUER_URL)
    return { load: false, because: 'production sign-in is set (DEMO=on to load it anyway)' };
  return { load: true, because: 'the embedded database with development sign-in (DEMO=off to start empty)' };
}

function webConfig(env: NodeJS.ProcessEnv, auth: AuthConfig, database: DatabaseConfig): WebConfig {
  const { OIDC_ISSUER_URL: issuerUrl, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret, OIDC_REDIRECT_URL: redirectUrl } = env;
  const given = [issuerUrl, clientId, clientSecret, redirectUrl].filter(Boolean).length;
  if (given > 0 && given < 4) {
    throw new ConfigError(
      'Web sign-in through OpenID Connect needs all of OIDC_ISSUER_URL, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_REDIRECT_URL.',
    );
  }
  if (env.SESSION_SECRET && env.SESSION_SECRET.length < 32) throw new ConfigError('SESSION_SECRET must be at least 32 characters long.');
  return {
    sessionSecret: env.SESSION_SECRET || undefined,
    development: auth.kind === 'dev-secret',
    demo: demoConfig(env, auth, database),
    sessionIdleMinutes: positiveInteger('SESSION_IDLE_MINUTES', env.SESSION_IDLE_MINUTES, 30),
    protectiveMarking: protectiveMarking(env.PROTECTIVE_MARKING),
    oidc:
      given === 4
        ? {
            issuerUrl: parseUrl('OIDC_ISSUER_URL', issuerUrl!, ['https:', 'http:']),
            clientId: clientId!,
            clientSecret: clientSecret!,
            redirectUrl: parseUrl('OIDC_REDIRECT_URL', redirectUrl!, ['https:', 'http:']),
          }
        : undefined,
  };
}
