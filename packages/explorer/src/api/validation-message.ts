/**
 * The message of a request that fails its schema, naming the parameter: `querystring parameter
 * 'size' must be at most 1000`, `querystring parameter 'status' must be one of up, down, standby`.
 * A TypeBox union of literals fails in ajv as one `const` error per branch and an `anyOf` error;
 * those become the list of allowed values. A comma-separated list of such values (a `pattern` of
 * the form `^(A|B)(,(A|B))*$`) is named the same way.
 */
import type { FastifyError } from 'fastify';

type AjvError = NonNullable<FastifyError['validation']>[number];

export function validationMessage(err: FastifyError): string {
  const errors = err.validation ?? [];
  const v = errors[0];
  if (!v) return err.message;
  const where = err.validationContext ?? 'request';
  const params = v.params as Record<string, unknown>;
  if (v.keyword === 'additionalProperties') return `unknown ${where} parameter '${String(params.additionalProperty)}'`;
  const name = v.instancePath.replace(/^\//, '').replace(/\//g, '.') || String((params.missingProperty as string | undefined) ?? where);
  if (v.keyword === 'maximum') return `${where} parameter '${name}' must be at most ${String(params.limit)}`;
  if (v.keyword === 'minimum') return `${where} parameter '${name}' must be at least ${String(params.limit)}`;
  const allowed = allowedValues(errors, v.instancePath);
  if (allowed) return `${where} parameter '${name}' must be one of ${allowed.join(', ')}`;
  const listed = v.keyword === 'pattern' ? listPattern(String(params.pattern)) : undefined;
  if (listed) return `${where} parameter '${name}' must be one or more of ${listed.join(', ')}, comma-separated`;
  return `invalid ${where} parameter '${name}': ${v.message ?? 'invalid'}`;
}

/** The values an enum-like schema at `instancePath` allows, or undefined when it is not one. */
function allowedValues(errors: readonly AjvError[], instancePath: string): string[] | undefined {
  const here = errors.filter((e) => e.instancePath === instancePath);
  const enumError = here.find((e) => e.keyword === 'enum');
  if (enumError) return ((enumError.params as { allowedValues?: unknown[] }).allowedValues ?? []).map(String);
  // A union of literals: every failed branch is a `const`, closed by the `anyOf` that failed.
  const branches = here.filter((e) => e.keyword !== 'anyOf');
  if (!here.some((e) => e.keyword === 'anyOf') || branches.length === 0 || branches.some((e) => e.keyword !== 'const')) return undefined;
  return branches.map((e) => String((e.params as { allowedValue?: unknown }).allowedValue));
}

/** `^(A|B|C)(,(A|B|C))*$` → [A, B, C]; undefined for any other pattern. */
function listPattern(pattern: string): string[] | undefined {
  const m = /^\^\(([\w-]+(?:\|[\w-]+)*)\)\(,\(([^()]+)\)\)\*\$$/.exec(pattern);
  return m && m[1] === m[2] ? m[1]!.split('|') : undefined;
}
