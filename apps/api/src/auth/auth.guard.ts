import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Actor, Role } from '@app/domain';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';
import { TOKEN_VERIFIER, TokenVerifier, Unauthenticated } from './token-verifier';

export type AuthenticatedRequest = { headers: Record<string, string | string[] | undefined>; actor?: Actor };

/** The token of an `Authorization: Bearer <token>` header, if that is what it holds. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(header)?.[1] : undefined;
}

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
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new Unauthenticated('Send a bearer token: Authorization: Bearer <JWT>.');
    request.actor = await this.verify(token);
    const allowed = this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? [];
    if (!allowed.some((role) => request.actor!.roles.includes(role))) {
      throw new ForbiddenException(`This needs one of the roles: ${allowed.join(', ')}.`);
    }
    return true;
  }
}
