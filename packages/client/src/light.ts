/**
 * The client's light entry point (`@tfgrid/client/light`): what a tool needs before it talks to a
 * chain — the shared constants and the atomic file write — without loading polkadot.js, so a CLI's
 * `--help` answers at once.
 */
export { GiB, TERMS_LINK, TFT } from './chain/constants';
export { writeFileAtomic, type AtomicWriteOptions } from './atomic-file';
