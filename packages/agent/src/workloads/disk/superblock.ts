/** Reads an ext2/3/4 superblock (1024 bytes at byte 1024) from an image file or a block device. */
import { closeSync, openSync, readSync } from 'node:fs';

const MAGIC = 0xef53;
const INCOMPAT_64BIT = 0x80;

export interface Ext4Superblock {
  blockSize: number;
  /** Filesystem size in bytes (blocks × block size). */
  bytes: number;
}

/** The superblock, or undefined when `source` holds no ext2/3/4 filesystem. */
export function readSuperblock(source: string): Ext4Superblock | undefined {
  const sb = Buffer.alloc(1024);
  const fd = openSync(source, 'r');
  try {
    if (readSync(fd, sb, 0, sb.length, 1024) !== sb.length) return undefined;
  } finally {
    closeSync(fd);
  }
  if (sb.readUInt16LE(56) !== MAGIC) return undefined;
  const blockSize = 1024 * 2 ** sb.readUInt32LE(24);
  const hi = sb.readUInt32LE(0x60) & INCOMPAT_64BIT ? sb.readUInt32LE(0x150) : 0;
  const blocks = hi * 2 ** 32 + sb.readUInt32LE(4);
  return { blockSize, bytes: blocks * blockSize };
}
