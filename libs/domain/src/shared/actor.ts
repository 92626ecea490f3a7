export const ROLES = ['admin', 'subgroup', 'partner', 'chair', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** Who issues a command, as established by authentication. */
export type Actor = Readonly<{
  userId: string;
  name: string;
  roles: readonly Role[];
  partnerId?: string;
}>;

/** Subgroup members and admins act for the partnership; everyone else only for their own agency. */
export function actsForPartnership(actor: Actor): boolean {
  return actor.roles.includes('subgroup') || actor.roles.includes('admin');
}

/** Everyone but partner agency users reads every action. */
export function readsEverything(actor: Actor): boolean {
  return actor.roles.some((role) => role !== 'partner');
}
