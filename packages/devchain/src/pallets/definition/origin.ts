/** `tfchain_runtime::OriginCaller`: exactly TFChain's (system, Council, and construct_runtime's Void placeholder). */
import { enumeration } from '../../scale/codec';
import { CollectiveOrigin } from './council';
import { HIDDEN_INCLUDE, RUNTIME_CRATE } from './outer';
import { Void } from './primitives';
import { SystemOrigin } from './system';

export const OriginCaller = enumeration(
  { path: `${RUNTIME_CRATE}::OriginCaller` },
  {
    system: [0, { type: SystemOrigin, typeName: 'frame_system::Origin<Runtime>' }],
    Council: [40, { type: CollectiveOrigin, typeName: 'pallet_collective::Origin<Runtime, pallet_collective::Instance1>' }],
    Void: [2, { type: Void, typeName: `${HIDDEN_INCLUDE}\n__private::Void` }],
  },
);
