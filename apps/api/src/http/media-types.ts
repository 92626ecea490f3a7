import { FastifyInstance } from 'fastify';
import { problem, sendProblem } from './problem';

/** A kind of body other than JSON, and the requests that may send it. */
export type BodyRule = Readonly<{ types: readonly string[]; method: string; path: RegExp; says: string }>;

const JSON_TYPE = /^application\/json\s*(;|$)/;

/**
 * Every body is JSON unless a rule lets its path take another type: anything else is answered 415
 * as the request arrives, before a byte of its body is read or parsed.
 */
export function refuseOtherMediaTypes(fastify: FastifyInstance, rules: readonly BodyRule[]): void {
  fastify.addHook('onRequest', async (request, reply) => {
    // Media types are case-insensitive, and so is Fastify's choice of parser.
    const type = (request.headers['content-type'] ?? '').trim().toLowerCase();
    if (type === '' || JSON_TYPE.test(type)) return;
    const here = rules.filter((rule) => rule.method === request.method && rule.path.test(request.url));
    if (here.some((rule) => rule.types.some((allowed) => type.startsWith(allowed)))) return;
    // The route's own word on what it takes, where it takes more than JSON.
    sendProblem(reply, problem(415, here[0]?.says ?? 'Send the body as application/json.'));
    return reply;
  });
}
