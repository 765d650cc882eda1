/** Terms and conditions, twins, entities and their proofs, and bonded accounts. */
import { verifyNow } from '../../crypto/verifier';
import { bytesEqual } from '../../util/hex';
import { depositEvent, ensureSigned, type CallImpl } from '../dispatch';
import {
  Entities,
  EntityID,
  EntityIdByAccountID,
  EntityIdByName,
  err,
  tfgrid,
  TwinBoundedAccountID,
  TwinID,
  TwinIdByAccountID,
  Twins,
  twinIdOf,
  twinOf,
  UsersTermsAndConditions,
  VERSION,
  type Entity,
  type Twin,
} from './store';
import { cityName, countryName, relay as validRelay, termsAndConditions } from './validate';

function checkRelay(relay: Uint8Array | undefined): void {
  if (relay !== undefined && !validRelay(relay)) throw err('InvalidRelayAddress');
}

/**
 * An entity signature: 128 ASCII hex characters of a 64-byte ed25519 or sr25519 signature by
 * `signer` over `message`.
 */
function signedBy(signature: Uint8Array, signer: Uint8Array, message: Uint8Array): boolean {
  const hex = Buffer.from(signature).toString('latin1');
  if (!/^[0-9a-fA-F]{128}$/.test(hex)) return false;
  const sig = Uint8Array.from(Buffer.from(hex, 'hex'));
  return verifyNow('Ed25519', sig, message, signer) || verifyNow('Sr25519', sig, message, signer);
}

const be32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, false);
  return b;
};

export const twinCalls: Record<string, CallImpl> = {
  user_accept_tc(ctx, a: { document_link: Uint8Array; document_hash: Uint8Array }) {
    const who = ensureSigned(ctx.origin);
    termsAndConditions(a.document_link, a.document_hash);
    const list = UsersTermsAndConditions.get(ctx.state, who) ?? [];
    const entry = {
      account_id: who,
      timestamp: ctx.block.timestamp / 1000n,
      document_link: a.document_link,
      document_hash: a.document_hash,
    };
    UsersTermsAndConditions.set(ctx.state, [...list, entry], who);
  },
  create_twin(ctx, a: { relay?: Uint8Array; pk?: Uint8Array }) {
    const who = ensureSigned(ctx.origin);
    if (!UsersTermsAndConditions.exists(ctx.state, who)) throw err('UserDidNotSignTermsAndConditions');
    if (TwinIdByAccountID.exists(ctx.state, who)) throw err('TwinWithPubkeyExists');
    const id = TwinID.read(ctx.state) + 1;
    checkRelay(a.relay);
    const twin: Twin = { id, account_id: who, relay: a.relay, entities: [], pk: a.pk };
    Twins.set(ctx.state, twin, id);
    TwinID.set(ctx.state, id);
    TwinIdByAccountID.set(ctx.state, id, who);
    depositEvent(ctx, tfgrid, 'TwinStored', twin);
  },
  update_twin(ctx, a: { relay?: Uint8Array; pk?: Uint8Array }) {
    const who = ensureSigned(ctx.origin);
    const twin = twinOf(ctx.state, twinIdOf(ctx.state, who));
    if (!bytesEqual(twin.account_id, who)) throw err('UnauthorizedToUpdateTwin');
    checkRelay(a.relay);
    const updated: Twin = { ...twin, relay: a.relay, pk: a.pk };
    Twins.set(ctx.state, updated, twin.id);
    depositEvent(ctx, tfgrid, 'TwinUpdated', updated);
  },
  bond_twin_account(ctx, a: { twin_id: number }) {
    const who = ensureSigned(ctx.origin);
    const twin = twinOf(ctx.state, a.twin_id);
    if (bytesEqual(twin.account_id, who)) throw err('TwinCannotBoundToItself');
    TwinBoundedAccountID.set(ctx.state, who, a.twin_id);
    depositEvent(ctx, tfgrid, 'TwinAccountBounded', [a.twin_id, who]);
  },
  create_entity(ctx, a: { target: Uint8Array; name: Uint8Array; country: Uint8Array; city: Uint8Array; signature: Uint8Array }) {
    ensureSigned(ctx.origin);
    if (EntityIdByName.exists(ctx.state, a.name)) throw err('EntityWithNameExists');
    if (EntityIdByAccountID.exists(ctx.state, a.target)) throw err('EntityWithPubkeyExists');
    if (a.signature.length !== 128) throw err('SignatureLengthIsIncorrect');
    const message = Uint8Array.from([...a.name, ...a.country, ...a.city]);
    if (!signedBy(a.signature, a.target, message)) throw err('EntitySignatureDoesNotMatch');
    const id = EntityID.read(ctx.state) + 1;
    countryName(a.country);
    cityName(a.city);
    const entity: Entity = { version: VERSION.entity, id, name: a.name, account_id: a.target, country: a.country, city: a.city };
    Entities.set(ctx.state, entity, id);
    EntityIdByName.set(ctx.state, id, a.name);
    EntityIdByAccountID.set(ctx.state, id, a.target);
    EntityID.set(ctx.state, id);
    depositEvent(ctx, tfgrid, 'EntityStored', entity);
  },
  update_entity(ctx, a: { name: Uint8Array; country: Uint8Array; city: Uint8Array }) {
    const who = ensureSigned(ctx.origin);
    if (EntityIdByName.exists(ctx.state, a.name)) throw err('EntityWithNameExists');
    const id = EntityIdByAccountID.get(ctx.state, who);
    const stored = id === undefined ? undefined : Entities.get(ctx.state, id);
    if (id === undefined || !stored) throw err('EntityNotExists');
    if (!bytesEqual(stored.account_id, who)) throw err('CannotUpdateEntity');
    EntityIdByName.remove(ctx.state, stored.name);
    countryName(a.country);
    cityName(a.city);
    const entity: Entity = { ...stored, name: a.name, country: a.country, city: a.city };
    Entities.set(ctx.state, entity, id);
    EntityIdByName.set(ctx.state, id, a.name);
    depositEvent(ctx, tfgrid, 'EntityUpdated', entity);
  },
  delete_entity(ctx) {
    const who = ensureSigned(ctx.origin);
    const id = EntityIdByAccountID.get(ctx.state, who);
    const stored = id === undefined ? undefined : Entities.get(ctx.state, id);
    if (id === undefined || !stored) throw err('EntityNotExists');
    if (!bytesEqual(stored.account_id, who)) throw err('CannotDeleteEntity');
    Entities.remove(ctx.state, id);
    EntityIdByName.remove(ctx.state, stored.name);
    EntityIdByAccountID.remove(ctx.state, who);
    depositEvent(ctx, tfgrid, 'EntityDeleted', id);
  },
  add_twin_entity(ctx, a: { twin_id: number; entity_id: number; signature: Uint8Array }) {
    const who = ensureSigned(ctx.origin);
    const entity = Entities.get(ctx.state, a.entity_id);
    if (!entity) throw err('EntityNotExists');
    const twin = twinOf(ctx.state, a.twin_id);
    if (!bytesEqual(twin.account_id, who)) throw err('UnauthorizedToUpdateTwin');
    if (twin.entities.some((p) => p.entity_id === a.entity_id && bytesEqual(p.signature, a.signature))) {
      throw err('EntityWithSignatureAlreadyExists');
    }
    const message = Uint8Array.from([...be32(a.entity_id), ...be32(a.twin_id)]);
    if (!signedBy(a.signature, entity.account_id, message)) throw err('EntitySignatureDoesNotMatch');
    Twins.set(ctx.state, { ...twin, entities: [...twin.entities, { entity_id: a.entity_id, signature: a.signature }] }, a.twin_id);
    depositEvent(ctx, tfgrid, 'TwinEntityStored', [a.twin_id, a.entity_id, a.signature]);
  },
  delete_twin_entity(ctx, a: { twin_id: number; entity_id: number }) {
    const who = ensureSigned(ctx.origin);
    const twin = twinOf(ctx.state, a.twin_id);
    if (!bytesEqual(twin.account_id, who)) throw err('UnauthorizedToUpdateTwin');
    const index = twin.entities.findIndex((p) => p.entity_id === a.entity_id);
    if (index < 0) throw err('EntityNotExists');
    Twins.set(ctx.state, { ...twin, entities: twin.entities.filter((_, i) => i !== index) }, a.twin_id);
    depositEvent(ctx, tfgrid, 'TwinEntityRemoved', [a.twin_id, a.entity_id]);
  },
};
