/** Errors of the loop-mounted ext4 images behind volumes and zmounts; `code` says what went wrong. */
import { CodedError } from '../../core/coded-error';
export type DiskErrorCode =
  /** The size asked for is not a whole number of bytes in the allowed range. */
  | 'invalid-size'
  /** An update asked for a smaller filesystem than the one in place. */
  | 'shrink-refused'
  /** The file exists but holds no ext4 filesystem (not ours, or damaged). */
  | 'not-ext4'
  /** The mountpoint is taken by something else, or the filesystem is still in use. */
  | 'busy'
  /** A system tool (fallocate, mkfs.ext4, resize2fs, mount, umount, losetup) failed. */
  | 'command-failed';

export class DiskError extends CodedError<DiskErrorCode> {}
