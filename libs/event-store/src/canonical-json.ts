/**
 * JSON Canonicalization Scheme (RFC 8785): object keys sorted by UTF-16 code units (the order of
 * Array.prototype.sort without a comparator), no white space, numbers as ECMAScript prints them.
 * Properties whose value is undefined are left out, as JSON.stringify does. Written as plain loops:
 * the verifier runs it on every event of the log.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`Cannot canonicalise the number ${value}`);
      return JSON.stringify(value);
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? canonicalArray(value) : canonicalObject(value as Record<string, unknown>);
    default:
      throw new TypeError(`Cannot canonicalise a value of type ${typeof value}`);
  }
}

function canonicalArray(items: readonly unknown[]): string {
  let json = '[';
  for (let index = 0; index < items.length; index++) {
    if (index > 0) json += ',';
    json += canonicalJson(items[index] ?? null);
  }
  return `${json}]`;
}

function canonicalObject(object: Record<string, unknown>): string {
  let json = '{';
  for (const key of Object.keys(object).sort()) {
    const item = object[key];
    if (item === undefined) continue;
    if (json.length > 1) json += ',';
    json += `${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${json}}`;
}
