export const ROLES = ['admin', 'subgroup', 'partner', 'chair', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** Who issues a command, as established by authentication. */
export type Actor = Readonly<{
  userId: string;
  name: string;
  roles: readonly Role[];
  partnerId?: string;
}>;
