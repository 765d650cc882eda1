/**
 * Numbers in a URL or a header are written in plain decimal. ajv's type coercion alone reads them
 * with JavaScript's Number(), which takes `Infinity`, `1e309`, `0x10`, ` 12` and the empty string
 * as numbers (and an infinite value then skips the integer check). Each route's own schema says
 * which of its parameters are numbers: this hook checks their raw text before validation, and ajv
 * then checks type and range from the same schema, so the schema stays the one description of every
 * parameter (and of the OpenAPI document).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, HookHandlerDoneFunction, RouteOptions } from 'fastify';

/** Decimal digits, an optional minus (so `-1` gets the range message), no leading zeros, at most 20 digits. */
const INTEGER_TEXT = /^-?(0|[1-9][0-9]{0,19})$/;
/** The same, with an optional fraction of at most 20 digits. */
const DECIMAL_TEXT = /^-?(0|[1-9][0-9]{0,19})(\.[0-9]{1,20})?$/;

type Part = 'querystring' | 'params' | 'headers';
const PARTS: readonly Part[] = ['querystring', 'params', 'headers'];
const valuesOf: Record<Part, (req: FastifyRequest) => unknown> = {
  querystring: (r) => r.query,
  params: (r) => r.params,
  headers: (r) => r.headers,
};

interface NumericParameter {
  part: Part;
  name: string;
  integer: boolean;
}

/** A parameter written wrongly; shaped as fastify's validation errors, so the one error handler names it. */
export class ParameterError extends Error {
  readonly code = 'EXPLORER_INVALID_PARAMETER';
  readonly statusCode = 400;
  readonly validation: { keyword: string; instancePath: string; schemaPath: string; params: Record<string, unknown>; message: string }[];
  readonly validationContext: Part;

  constructor(part: Part, name: string, message: string) {
    super(`invalid ${part} parameter '${name}': ${message}`);
    this.validation = [{ keyword: 'format', instancePath: `/${name}`, schemaPath: '', params: {}, message }];
    this.validationContext = part;
  }
}

/** The number-typed properties of a route's querystring, params and headers schemas. */
export function numericParameters(schema: FastifySchema | undefined): NumericParameter[] {
  const found: NumericParameter[] = [];
  for (const part of PARTS) {
    const properties = (schema?.[part] as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties ?? {};
    for (const [name, p] of Object.entries(properties)) {
      if (p.type === 'integer' || p.type === 'number') found.push({ part, name, integer: p.type === 'integer' });
    }
  }
  return found;
}

/** Why a raw value is not a number as written in a URL, or undefined when it is one. */
export function numberTextProblem(value: unknown, integer: boolean): string | undefined {
  if (Array.isArray(value)) return value.length > 1 ? 'given more than once' : numberTextProblem(value[0], integer);
  if (typeof value !== 'string') return undefined; // already a number: nothing to read
  if (integer) return INTEGER_TEXT.test(value) ? undefined : 'must be a whole number in decimal digits';
  return DECIMAL_TEXT.test(value) ? undefined : 'must be a decimal number';
}

/** Adds the raw-text check to every route registered after this call that has numeric parameters. */
export function strictNumbers(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const numeric = numericParameters(route.schema);
    if (numeric.length === 0) return;
    // Per part, each numeric name's position in the list: a request's few parameters are looked up
    // by name (not the route's many read off the request), and the problem reported is still the
    // first in the list's order (part, then schema order).
    const positions = PARTS.map((part) => new Map(numeric.flatMap((p, i) => (p.part === part ? [[p.name, i] as const] : []))));
    const check = (req: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void => {
      let first = -1;
      let problem: string | undefined;
      for (let k = 0; k < PARTS.length; k++) {
        const names = positions[k]!;
        if (names.size === 0) continue;
        const values = valuesOf[PARTS[k]!](req) as Record<string, unknown> | undefined | null;
        if (values === undefined || values === null) continue;
        for (const name in values) {
          const i = names.get(name);
          if (i === undefined || (first !== -1 && i > first)) continue;
          const p = numberTextProblem(values[name], numeric[i]!.integer);
          if (p !== undefined) [first, problem] = [i, p];
        }
      }
      if (problem === undefined) return done();
      done(new ParameterError(numeric[first]!.part, numeric[first]!.name, problem));
    };
    const existing = route.preValidation;
    route.preValidation = existing === undefined ? [check] : [...(Array.isArray(existing) ? existing : [existing]), check];
  });
}
