import { Actor } from '@app/domain';

/** The partner agencies of the demonstration partnership (three statutory partners and education). */
export const DEMO_PARTNERS = [
  { id: 'county-council', name: 'County Council Children’s Services' },
  { id: 'integrated-care-board', name: 'Integrated Care Board' },
  { id: 'police', name: 'Thames Valley Police' },
  { id: 'education', name: 'Schools and Education' },
] as const;

/** Who can sign in on the development sign-in page. */
export const DEMO_USERS: readonly (Actor & { description: string })[] = [
  { userId: 'demo-chair', name: 'Jo Chair', roles: ['chair'], description: 'Independent chair: the assurance picture' },
  {
    userId: 'demo-subgroup',
    name: 'Sam Reviewer',
    roles: ['subgroup'],
    description: 'Review subgroup: raises, assigns, assures and closes actions',
  },
  { userId: 'demo-auditor', name: 'Alex Auditor', roles: ['auditor'], description: 'Auditor: the full history and its verification' },
  { userId: 'demo-admin', name: 'Ada Admin', roles: ['admin'], description: 'Business unit administrator' },
  ...DEMO_PARTNERS.map((partner) => ({
    userId: `demo-lead-${partner.id}`,
    name: `Lead, ${partner.name}`,
    roles: ['partner' as const],
    partnerId: partner.id,
    description: `Partner lead: ${partner.name}'s own actions`,
  })),
];
