import { SignJWT } from 'jose';
import { parseArgs } from 'node:util';
import { ROLES, Role } from '@app/domain';

const USAGE = 'usage: npm run token -- --role <role>[,<role>...] [--partner <id>] [--name <name>] [--sub <id>] [--hours <n>]';

/** Prints a development token signed with AUTH_DEV_SECRET, for curl and the API docs. */
export async function tokenCommand(args: string[]): Promise<string> {
  const { values } = parseArgs({
    args,
    options: {
      role: { type: 'string', multiple: true },
      partner: { type: 'string' },
      name: { type: 'string' },
      sub: { type: 'string' },
      hours: { type: 'string', default: '8' },
    },
  });
  const secret = process.env.AUTH_DEV_SECRET;
  if (!secret) throw new Error('AUTH_DEV_SECRET is not set: tokens are signed with it.');
  const roles = (values.role ?? []).flatMap((role) => role.split(','));
  if (roles.length === 0) throw new Error(USAGE);
  const unknown = roles.filter((role) => !(ROLES as readonly string[]).includes(role));
  if (unknown.length > 0) throw new Error(`unknown role ${unknown.join(', ')}; roles are ${ROLES.join(', ')}`);
  if (roles.includes('partner') && !values.partner) throw new Error('a partner token needs --partner <partner id>');
  const hours = Number(values.hours);
  if (!(hours > 0 && hours <= 24 * 30)) throw new Error('--hours must be between 0 and 720');
  const name = values.name ?? `Dev ${roles[0]}`;
  const token = new SignJWT({ name, roles: roles as Role[], ...(values.partner ? { partner: values.partner } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(values.sub ?? `dev-${roles.join('-')}${values.partner ? `-${values.partner}` : ''}`)
    .setIssuedAt()
    .setExpirationTime(`${hours}h`);
  if (process.env.AUTH_ISSUER) token.setIssuer(process.env.AUTH_ISSUER);
  if (process.env.AUTH_AUDIENCE) token.setAudience(process.env.AUTH_AUDIENCE);
  return token.sign(new TextEncoder().encode(secret));
}
