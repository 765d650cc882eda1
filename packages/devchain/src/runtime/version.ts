/** The runtime version, as declared in System's `Version` constant. */
import { constantOf } from '../pallets/decls';
import { system } from '../pallets/system';
import { toHex, type Hex } from '../util/hex';

/** The runtime version as `state_getRuntimeVersion` returns it. */
export interface RuntimeVersionJson {
  specName: string;
  implName: string;
  authoringVersion: number;
  specVersion: number;
  implVersion: number;
  apis: [Hex, number][];
  transactionVersion: number;
  stateVersion: number;
}

export interface RuntimeVersion {
  spec_name: string;
  impl_name: string;
  authoring_version: number;
  spec_version: number;
  impl_version: number;
  apis: [Uint8Array, number][];
  transaction_version: number;
  state_version: number;
}

export const version = constantOf<RuntimeVersion>(system, 'Version');

export function runtimeVersionJson(v: RuntimeVersion = version): RuntimeVersionJson {
  return {
    specName: v.spec_name,
    implName: v.impl_name,
    authoringVersion: v.authoring_version,
    specVersion: v.spec_version,
    implVersion: v.impl_version,
    apis: v.apis.map(([id, n]) => [toHex(id), n]),
    transactionVersion: v.transaction_version,
    stateVersion: v.state_version,
  };
}
