/** The runtime version, as declared in System's `Version` constant. */
import { constantOf } from '../pallets/decls';
import { system } from '../pallets/system';
import { toHex } from '../util/hex';
import type { RuntimeVersionJson } from '../chain/api';

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
