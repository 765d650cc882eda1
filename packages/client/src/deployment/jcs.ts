/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the deployment's challenge must be the same bytes
 * on every client and node, whatever the key order or number spelling of the JSON they hold.
 */

/** Values JCS can serialize: I-JSON (no NaN/Infinity, no lone surrogates, no bigint). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue | undefined };

/** The canonical JSON text of `value` (sorted keys, ECMAScript numbers, no whitespace). */
export function canonicalize(value: unknown): string {
  return serialize(value, '$');
}

function serialize(v: unknown, path: string): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return number(v, path);
    case 'string':
      return string(v, path);
    case 'object':
      if (Array.isArray(v)) return `[${v.map((x, i) => serialize(x ?? null, `${path}[${i}]`)).join(',')}]`;
      return object(v as Record<string, unknown>, path);
    default:
      throw new TypeError(`JCS: ${path} is a ${typeof v}, not a JSON value`);
  }
}

// ECMAScript's Number.prototype.toString is exactly the serialization RFC 8785 prescribes
// (shortest round-trip digits, exponent from 1e21 and below 1e-6); -0 prints as "0".
function number(n: number, path: string): string {
  if (!Number.isFinite(n)) throw new TypeError(`JCS: ${path} is ${n}, which JSON cannot hold`);
  return Object.is(n, -0) ? '0' : String(n);
}

// JSON.stringify escapes exactly what JCS escapes (", \, control characters with the short forms
// \b \t \n \f \r, others as lowercase \u00xx) and leaves all else literal; lone surrogates are not
// I-JSON, so refuse them rather than emit a \udxxx escape another implementation may not.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function string(s: string, path: string): string {
  if (LONE_SURROGATE.test(s)) throw new TypeError(`JCS: ${path} holds a lone surrogate`);
  return JSON.stringify(s);
}

function object(o: Record<string, unknown>, path: string): string {
  // Plain in any realm (structuredClone in a vm context, as under Jest, makes another realm's objects):
  // its prototype is null or is some realm's Object.prototype, whose own prototype is null.
  const proto = Object.getPrototypeOf(o) as object | null;
  if (proto !== null && Object.getPrototypeOf(proto) !== null) throw new TypeError(`JCS: ${path} is not a plain object`);
  // Default sort compares UTF-16 code units, the order RFC 8785 requires. Undefined members are
  // left out, as JSON.stringify leaves them out of the document that is sent.
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${string(k, path)}:${serialize(o[k], `${path}.${k}`)}`).join(',')}}`;
}
