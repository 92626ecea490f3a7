import { Actor, ROLES, Role } from './actor';

/** Acts for the whole partnership: raises, assigns, assures and closes. */
const PARTNERSHIP = ['admin', 'subgroup'] as const satisfies readonly Role[];
/** Reads everything, the whole partnership's actions and reviews. */
const READERS = ['admin', 'subgroup', 'chair', 'auditor'] as const satisfies readonly Role[];

/**
 * Who may do what: the only statement of it, used by the API's routes, the pages and the tests of
 * the contract's role table. A partner lead's reach is narrowed further, to the actions its own
 * agency owns, by the deciders and read scopes.
 */
export const PERMISSIONS = {
  registerPartner: ['admin'],
  /** Sets where a partner's notifications go. */
  setPartnerMailbox: ['admin'],
  /** Reads the mail outbox: what was sent, to whom, and what waits. */
  readNotifications: PARTNERSHIP,
  registerReview: PARTNERSHIP,
  recordRecommendation: PARTNERSHIP,
  raiseAction: PARTNERSHIP,
  assignAction: PARTNERSHIP,
  reviseDueDate: PARTNERSHIP,
  requestExtension: [...PARTNERSHIP, 'partner'],
  decideExtension: PARTNERSHIP,
  recordImpact: PARTNERSHIP,
  correctTexts: PARTNERSHIP,
  noteProgress: [...PARTNERSHIP, 'partner'],
  submitEvidence: [...PARTNERSHIP, 'partner'],
  acceptEvidence: PARTNERSHIP,
  rejectEvidence: PARTNERSHIP,
  /** Takes back evidence: its owning agency, or the partnership. */
  withdrawEvidence: [...PARTNERSHIP, 'partner'],
  reassureAction: PARTNERSHIP,
  closeAction: PARTNERSHIP,
  reopenAction: PARTNERSHIP,
  withdrawAction: PARTNERSHIP,
  /** Brings in the action plan a partnership already has, with its history. */
  importPlan: PARTNERSHIP,
  /** Acts on any agency's actions, not only its own. */
  actForPartnership: PARTNERSHIP,
  /** Reads every agency's actions, not only its own. */
  readEveryAgency: READERS,
  readPartners: ROLES,
  readActions: ROLES,
  /** Every review to those who read every agency's actions; to a partner lead, those its agency has an action in. */
  readReviews: [...READERS, 'partner'],
  readActionHistory: [...READERS, 'partner'],
  /** A review's and its recommendations' events, corrections with the old text: the partnership's own record. */
  readReviewHistory: READERS,
  readAssurance: READERS,
  readMetrics: READERS,
  readPublicKey: READERS,
  readAuditLog: ['auditor'],
  /** Reads the events readers could not fold and set aside. */
  readQuarantine: ['admin', 'auditor'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export const rolesFor = (permission: Permission): Role[] => [...PERMISSIONS[permission]];

export const may = (actor: Actor, permission: Permission): boolean =>
  PERMISSIONS[permission].some((role: Role) => actor.roles.includes(role));

/** Subgroup members and admins act for the partnership; everyone else only for their own agency. */
export const actsForPartnership = (actor: Actor): boolean => may(actor, 'actForPartnership');

/** Everyone but partner agency users reads every action. */
export const readsEverything = (actor: Actor): boolean => may(actor, 'readEveryAgency');
