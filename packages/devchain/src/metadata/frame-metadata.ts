/**
 * frame-metadata's `RuntimeMetadataPrefixed` (V14 and V15), declared with our own codecs.
 * Field order follows frame-metadata's structs exactly: SCALE has no field names.
 */
import { bytes, enumeration, option, str, struct, tuple, u32, u8, vec, type ValueOf } from '../scale/codec';
import { portableRegistry, typeId } from './scale-info';

/** "meta", read as a little-endian u32. */
export const META_RESERVED = 0x6174656d;

const docs = vec(str);

const storageHasher = enumeration({ path: '' }, [
  'Blake2_128',
  'Blake2_256',
  'Blake2_128Concat',
  'Twox128',
  'Twox256',
  'Twox64Concat',
  'Identity',
]);

const storageEntryType = enumeration(
  { path: '' },
  {
    Plain: [0, typeId],
    Map: [1, { hashers: vec(storageHasher), key: typeId, value: typeId }],
  },
);

const storageEntry = struct(
  { path: '' },
  {
    name: str,
    modifier: enumeration({ path: '' }, ['Optional', 'Default']),
    ty: storageEntryType,
    default: bytes,
    docs,
  },
);

const palletStorage = struct({ path: '' }, { prefix: str, entries: vec(storageEntry) });

/** `PalletCallMetadata`, `PalletEventMetadata`, `PalletErrorMetadata`: `{ ty }`. */
const typeRef = struct({ path: '' }, { ty: typeId });

const palletConstant = struct({ path: '' }, { name: str, ty: typeId, value: bytes, docs });

const palletFieldsV14 = {
  name: str,
  storage: option(palletStorage),
  calls: option(typeRef),
  event: option(typeRef),
  constants: vec(palletConstant),
  error: option(typeRef),
  index: u8,
};

const palletV14 = struct({ path: '' }, palletFieldsV14);
const palletV15 = struct({ path: '' }, { ...palletFieldsV14, docs });

const signedExtension = struct({ path: '' }, { identifier: str, ty: typeId, additionalSigned: typeId });

const extrinsicV14 = struct({ path: '' }, { ty: typeId, version: u8, signedExtensions: vec(signedExtension) });

const extrinsicV15 = struct(
  { path: '' },
  {
    version: u8,
    addressTy: typeId,
    callTy: typeId,
    signatureTy: typeId,
    extraTy: typeId,
    signedExtensions: vec(signedExtension),
  },
);

export const metadataV14 = struct(
  { path: '' },
  {
    types: portableRegistry,
    pallets: vec(palletV14),
    extrinsic: extrinsicV14,
    ty: typeId,
  },
);

const runtimeApiMethod = struct(
  { path: '' },
  {
    name: str,
    inputs: vec(struct({ path: '' }, { name: str, ty: typeId })),
    output: typeId,
    docs,
  },
);

const runtimeApi = struct({ path: '' }, { name: str, methods: vec(runtimeApiMethod), docs });

const outerEnums = struct({ path: '' }, { callEnumTy: typeId, eventEnumTy: typeId, errorEnumTy: typeId });

/** `CustomMetadata { map: BTreeMap<String, CustomValueMetadata> }`: a map encodes as a sorted Vec of pairs. */
const customMetadata = struct(
  { path: '' },
  {
    map: vec(tuple(str, struct({ path: '' }, { ty: typeId, value: bytes }))),
  },
);

export const metadataV15 = struct(
  { path: '' },
  {
    types: portableRegistry,
    pallets: vec(palletV15),
    extrinsic: extrinsicV15,
    ty: typeId,
    apis: vec(runtimeApi),
    outerEnums,
    custom: customMetadata,
  },
);

/** `RuntimeMetadataPrefixed(u32 magic, RuntimeMetadata)`: the enum's index is the version. */
export const runtimeMetadataPrefixed = struct(
  { path: '' },
  {
    magic: u32,
    metadata: enumeration({ path: '' }, { V14: [14, metadataV14], V15: [15, metadataV15] }),
  },
);

export type MetadataV14Value = ValueOf<typeof metadataV14>;
export type MetadataV15Value = ValueOf<typeof metadataV15>;
export type PalletV14Value = ValueOf<typeof palletV14>;
export type PalletV15Value = ValueOf<typeof palletV15>;
export type StorageEntryValue = ValueOf<typeof storageEntry>;
export type SignedExtensionValue = ValueOf<typeof signedExtension>;
export type RuntimeApiValue = ValueOf<typeof runtimeApi>;
