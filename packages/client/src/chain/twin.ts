/** TFChain's twin and entity structs and the terms an account accepts, with their decoders. */
import { fieldsOf, listOf, num, optionalText, text } from './json';

export interface Twin {
  id: number;
  accountId: string;
  /** RMB relay domain, or null. */
  relay: string | null;
  /** Public key for encrypted messages (0x hex of the stored bytes), or null. */
  pk: string | null;
}

export interface TermsAcceptance {
  documentLink: string;
  documentHash: string;
}

/** `pallet_tfgrid::types::Entity`. */
export interface Entity {
  version: number;
  id: number;
  name: string;
  accountId: string;
  country: string;
  city: string;
}

export function decodeTwin(v: unknown): Twin {
  const t = fieldsOf(v);
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- pk is hex text in the chain's JSON form
  return { id: num(t.id), accountId: String(t.accountId), relay: optionalText(t.relay), pk: t.pk == null ? null : String(t.pk) };
}

export function decodeTermsAccepted(v: unknown): TermsAcceptance[] {
  return listOf(v).map((x) => {
    const t = fieldsOf(x);
    return { documentLink: text(t.documentLink), documentHash: text(t.documentHash) };
  });
}

export function decodeEntity(v: unknown): Entity {
  const e = fieldsOf(v);
  return {
    version: num(e.version),
    id: num(e.id),
    name: text(e.name),
    accountId: String(e.accountId),
    country: text(e.country),
    city: text(e.city),
  };
}
