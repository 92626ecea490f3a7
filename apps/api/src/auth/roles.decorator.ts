import { SetMetadata } from '@nestjs/common';
import { Role } from '@app/domain';

export const ROLES_KEY = 'roles';
export const PUBLIC_KEY = 'public';

/** Which roles may call the route. Every route names its roles or is marked public. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
export const Public = () => SetMetadata(PUBLIC_KEY, true);
