import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { Actor } from '@app/domain';

/** The authenticated user, as the AuthGuard established it. */
export const CurrentActor = createParamDecorator(
  (_: unknown, context: ExecutionContext): Actor => context.switchToHttp().getRequest<{ actor: Actor }>().actor,
);
