// Worker thread: verifies batches of signatures with the wasm sr25519/ed25519 code.
// Plain JavaScript so that it loads in any runner without a TypeScript loader.
'use strict';
const { parentPort } = require('node:worker_threads');
const { waitReady, sr25519Verify, ed25519Verify } = require('@polkadot/wasm-crypto');

const ready = waitReady();
parentPort.on('message', async ({ id, jobs }) => {
  await ready;
  const results = jobs.map(({ kind, sig, msg, pub }) => {
    try {
      return kind === 'Sr25519' ? sr25519Verify(sig, msg, pub) : kind === 'Ed25519' ? ed25519Verify(sig, msg, pub) : false;
    } catch {
      return false;
    }
  });
  parentPort.postMessage({ id, results });
});
