/** The PostgreSQL pool of the read models (and of the events, when they live there), for injection. */
export const DATABASE_POOL = Symbol('DatabasePool');
