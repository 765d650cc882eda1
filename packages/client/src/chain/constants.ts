/** Constants of the grid's chain vocabulary that every tool shares. */

/** ThreeFold's terms and conditions: the document an account accepts (`user_accept_tc`) before it makes a twin. */
export const TERMS_LINK = 'https://library.threefold.me/info/legal/#/';

/** Bytes in a GiB: TFChain's and Zero-OS's sizes are binary (a node's `mru`, `sru`, `hru`). */
export const GiB = 1024 ** 3;

/** 1 TFT in units (7 decimals). */
export const TFT = 10_000_000n;
