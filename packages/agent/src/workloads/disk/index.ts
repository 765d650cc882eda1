/** Loop-mounted ext4 image files: the storage form of volumes and zmounts. */
export {
  createExt4Image,
  mountExt4Image,
  unmountExt4Image,
  isMountpoint,
  isExt4,
  growMustWait,
  canResizeOnline,
  MIN_EXT4_BYTES,
  MAX_EXT4_BYTES,
} from './ext4-image';
export { DiskError, type DiskErrorCode } from './errors';
export { mounts, mountAt, mountedElsewhere, loopBackingFile, type MountEntry } from './mounts';
