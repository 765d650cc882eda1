/**
 * `zmount`: Zero-OS hands a VM a raw disk of `size` bytes. This node runs zmachines as containers,
 * not VMs, so the container form of a zmount is the disk file formatted ext4 and mounted at the
 * zmachine's mountpoint — the same storage as a volume (ext4-in-a-file, loop-mounted, its size
 * held), kept under its own folder so the two never share a name.
 */
import type { Logger } from 'pino';
import { StoragePools } from './pools';
import { Ext4DiskHandler } from './volume';

export const ZMOUNTS_DIR = 'tfgrid-zmounts';

export class ZmountHandler extends Ext4DiskHandler {
  constructor(pools: StoragePools, logger: Logger, resource: 'sru' | 'hru' = pools.resource()) {
    super({ type: 'zmount', folder: ZMOUNTS_DIR, pools, logger, resource });
  }
}
