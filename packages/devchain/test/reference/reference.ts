/**
 * The real TFChain's metadata, vendored beside the tests (see README.md here) so that the
 * conformance tests run on a fresh clone. A missing or malformed file fails the test that
 * reads it: a conformance test never skips for want of its reference.
 */
import { readFileSync } from 'fs';
import path from 'path';

/** TFChain 2.9's `state_getMetadata` reply: runtime substrate-threefold, spec_version 152. */
export const REFERENCE_METADATA = path.join(__dirname, 'tfchain-metadata-spec152.json');

/** The reference metadata as SCALE hex (the reply's `result`); throws, naming the file, when it is absent or not a reply. */
export function referenceMetadataHex(): `0x${string}` {
  let text: string;
  try {
    text = readFileSync(REFERENCE_METADATA, 'utf8');
  } catch (err) {
    throw new Error(`the reference metadata ${REFERENCE_METADATA} cannot be read (${(err as Error).message}); see ${path.join(__dirname, 'README.md')}`);
  }
  const result = (JSON.parse(text) as { result?: unknown }).result;
  if (typeof result !== 'string' || !/^0x(?:[0-9a-f]{2})+$/i.test(result)) {
    throw new Error(`${REFERENCE_METADATA} is not a state_getMetadata reply: its "result" is not SCALE hex`);
  }
  return result as `0x${string}`;
}
