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

export function runtimeVersionJson(): RuntimeVersionJson {
  return {
    specName: version.spec_name,
    implName: version.impl_name,
    authoringVersion: version.authoring_version,
    specVersion: version.spec_version,
    implVersion: version.impl_version,
    apis: version.apis.map(([id, v]) => [toHex(id), v]),
    transactionVersion: version.transaction_version,
    stateVersion: version.state_version,
  };
}
