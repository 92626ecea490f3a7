import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Actor, Role } from '@app/domain';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';
import { TOKEN_VERIFIER, TokenVerifier, Unauthenticated } from './token-verifier';

export type AuthenticatedRequest = { headers: Record<string, string | string[] | undefined>; actor?: Actor };

/** Authenticates every request but the public ones, then checks the route's roles: 401, then 403. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verify: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(header) : null;
    if (!match) throw new Unauthenticated('Send a bearer token: Authorization: Bearer <JWT>.');
    request.actor = await this.verify(match[1]);
    const allowed = this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? [];
    if (!allowed.some((role) => request.actor!.roles.includes(role))) {
      throw new ForbiddenException(`This needs one of the roles: ${allowed.join(', ')}.`);
    }
    return true;
  }
}
