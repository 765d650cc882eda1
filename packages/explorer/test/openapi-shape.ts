/**
 * Checks a JSON value against an OpenAPI 3.0 schema, for the subset the explorer's document uses
 * (type, nullable, enum, anyOf, properties, required, items, additionalProperties). Extra properties
 * are allowed, as OpenAPI allows them unless a schema says otherwise.
 */
export interface OpenApiSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  nullable?: boolean;
  enum?: unknown[];
  anyOf?: OpenApiSchema[];
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
  additionalProperties?: OpenApiSchema | boolean;
}

const KNOWN = new Set([
  'type',
  'nullable',
  'enum',
  'anyOf',
  'properties',
  'required',
  'items',
  'additionalProperties',
  'description',
  'title',
  'default',
  'minimum',
  'maximum',
  'pattern',
  'maxLength',
]);

/** Where and why `value` does not fit `schema`, or undefined when it fits. */
export function shapeProblem(schema: OpenApiSchema, value: unknown, at = '$'): string | undefined {
  const unknown = Object.keys(schema).find((k) => !KNOWN.has(k));
  if (unknown !== undefined) return `${at}: the checker does not know the schema keyword '${unknown}'`;
  if (value === null) return schema.nullable ? undefined : `${at}: null`;
  if (schema.anyOf) return schema.anyOf.some((s) => shapeProblem(s, value, at) === undefined) ? undefined : `${at}: fits none of anyOf`;
  if (schema.enum && !schema.enum.includes(value)) return `${at}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`;
  switch (schema.type) {
    case undefined:
      return undefined;
    case 'string':
    case 'boolean':
      return typeof value === schema.type ? undefined : `${at}: not a ${schema.type}`;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `${at}: not a finite number`;
    case 'integer':
      return Number.isSafeInteger(value) ? undefined : `${at}: not a safe integer`;
    case 'array':
      if (!Array.isArray(value)) return `${at}: not an array`;
      for (let i = 0; i < value.length; i++) {
        const p = schema.items && shapeProblem(schema.items, value[i], `${at}[${i}]`);
        if (p) return p;
      }
      return undefined;
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return `${at}: not an object`;
      const o = value as Record<string, unknown>;
      for (const r of schema.required ?? []) if (!(r in o)) return `${at}: '${r}' missing`;
      for (const [k, v] of Object.entries(o)) {
        const s = schema.properties?.[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
        const p = s && shapeProblem(s, v, `${at}.${k}`);
        if (p) return p;
      }
      return undefined;
    }
  }
}
