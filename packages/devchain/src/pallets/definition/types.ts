/**
 * The shape of the runtime's declarative definition: one source for the metadata (V14/V15),
 * the codecs the runtime uses, and the storage keys it reads and writes.
 */
import type { Hasher } from '../../crypto/hashing';
import type { Codec, Enum } from '../../scale/codec';

export type { Hasher };

export interface StorageDecl<V = any> {
  name: string;
  /** Optional: absent reads as None. Default: absent reads as `fallback`. */
  modifier: 'Optional' | 'Default';
  /** One hasher per key; empty for a plain value. */
  hashers: Hasher[];
  /** One codec per key (same length as hashers). */
  keys: Codec<any>[];
  value: Codec<V>;
  /** The value read where nothing is stored (Default modifier only); encoded into the metadata. */
  fallback?: V;
  docs?: string[];
}

export interface ConstantDecl<V = any> {
  name: string;
  type: Codec<V>;
  value: V;
  docs?: string[];
}

export interface PalletDecl {
  name: string;
  index: number;
  /** `pallet_x::pallet::Call<T>`: a variant type, one variant per call (its fields are the args). */
  calls?: Codec<Enum>;
  /** `pallet_x::pallet::Event<T>` */
  events?: Codec<Enum>;
  /** `pallet_x::pallet::Error<T>` */
  errors?: Codec<Enum>;
  storage?: StorageDecl[];
  constants?: ConstantDecl[];
  docs?: string[];
}

export interface SignedExtensionDecl {
  identifier: string;
  /** What the extension adds to the extrinsic (the "extra"). */
  type: Codec<any>;
  /** What it adds to the signed payload only. */
  additionalSigned: Codec<any>;
}

export interface RuntimeApiMethodDecl {
  name: string;
  inputs: { name: string; type: Codec<any> }[];
  output: Codec<any>;
  docs?: string[];
}

export interface RuntimeApiDecl {
  name: string;
  methods: RuntimeApiMethodDecl[];
  docs?: string[];
}

export interface RuntimeDecl {
  pallets: PalletDecl[];
  /** `tfchain_runtime::RuntimeCall` */
  call: Codec<Enum>;
  /** `tfchain_runtime::RuntimeEvent` */
  event: Codec<Enum>;
  /** `tfchain_runtime::RuntimeError` (metadata V15 outer enums) */
  error: Codec<Enum>;
  /** `tfchain_runtime::Runtime`: the metadata's top-level runtime type. */
  runtimeType: Codec<any>;
  extrinsic: {
    version: number;
    /** `sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic<Address, Call, Signature, Extra>` */
    type: Codec<any>;
    address: Codec<any>;
    signature: Codec<any>;
    /** The tuple of all signed extensions' extras. */
    extra: Codec<any>;
    signedExtensions: SignedExtensionDecl[];
  };
  /** Runtime APIs, listed in metadata V15. */
  apis: RuntimeApiDecl[];
}
