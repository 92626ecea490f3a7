import Ajv from 'ajv';
import addFormats from 'ajv-formats';

type Operation = Readonly<{ responses?: Record<string, { content?: Record<string, { schema?: object }> }> }>;
export type OpenApiDocument = Readonly<{ paths: Record<string, Record<string, Operation>> }>;

/** An answer as a client received it. */
export type Answered = Readonly<{ status: number; headers: Headers; body: unknown }>;

/**
 * Holds real answers to the OpenAPI document as a strict generated client would: the status must be
 * one the operation lists, the media type one that status lists, and a JSON body must pass its
 * schema. Answers the reason it would refuse one, or undefined.
 */
export function answerChecker(document: OpenApiDocument): (method: string, path: string, answer: Answered) => string | undefined {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...document, $id: 'openapi' });
  const compiled = new Map<string, ReturnType<Ajv['compile']>>();
  return (method, path, { status, headers, body }) => {
    const responses = document.paths[path]?.[method.toLowerCase()]?.responses ?? {};
    const response = responses[String(status)];
    if (!response) return `${status} is not among the answers documented (${Object.keys(responses).join(', ')})`;
    const type = (headers.get('content-type') ?? '').split(';')[0].trim();
    if (!response.content)
      return type && body !== undefined && body !== '' ? `${status} documents no body, but one came as ${type}` : undefined;
    const media = response.content[type];
    if (!media) return `${type || 'no content type'} is not documented for ${status} (${Object.keys(response.content).join(', ')})`;
    if (!type.endsWith('json') || !media.schema) return undefined;
    const key = `${method} ${path} ${status} ${type}`;
    if (!compiled.has(key))
      compiled.set(key, ajv.compile(JSON.parse(JSON.stringify(media.schema).replaceAll('"#/components/', '"openapi#/components/'))));
    const validate = compiled.get(key)!;
    return validate(body) ? undefined : ajv.errorsText(validate.errors, { dataVar: 'body' });
  };
}

/** The same, for an answer to a path as requested (`/actions/3f2a…/close?x=1`): matched to the template the document lists it under. */
export function concreteAnswerChecker(document: OpenApiDocument): (method: string, path: string, answer: Answered) => string | undefined {
  const check = answerChecker(document);
  const templates = Object.keys(document.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  return (method, path, answer) => {
    const bare = path.split('?')[0];
    const found = templates.find(({ pattern }) => pattern.test(bare));
    return found ? check(method, found.template, answer) : `${bare} is not a path the document lists`;
  };
}
