/**
 * The deployment protocol end to end on the dev chain: the deployer builds, signs, seals and stores
 * a chunked deployment and creates the contract in one batch; the node fetches, opens and verifies
 * it against the contract on chain. Every way it can be wrong is refused with its own code.
 */
import type { ApiPromise } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { stringToU8a, u8aToHex } from '@polkadot/util';
import nacl from 'tweetnacl';
import type { Devchain } from '@tfgrid/devchain';
import { startChain } from '@tfgrid/testkit';
import {
  CHUNK_SIZE,
  DeploymentBuilder,
  DeploymentError,
  canonicalize,
  deploymentHash,
  encodeEnvelope,
  fetchDeployment,
  nodeBoxKeyPair,
  nodeBoxPublicKey,
  notaryKey,
  openDeployment,
  prepareDeployment,
  readNodeContract,
  readTwin,
  receiveDeployment,
  seal,
  signDeployment,
  notaryCalls,
  type Deployment,
  type DeploymentErrorCode,
} from '../src/deployment';
import { connect, pairOf, sendFinalized, setupNode, setupTwin } from './deployment-support';

jest.setTimeout(120_000);

let node: Devchain;
let api: ApiPromise;
let deployer: KeyringPair;
let deployerTwin: number;
let nodeId: number;
let boxPk: Uint8Array;
const nodeSeed = new Uint8Array(32).fill(7);

beforeAll(async () => {
  node = await startChain();
  api = await connect(node.url);
  deployer = pairOf('//dpl//deployer');
  deployerTwin = await setupTwin(api, deployer);
  // The node's identity key is ed25519 from its seed; its twin publishes the box public key.
  const nodePair = new Keyring({ type: 'ed25519' }).addFromSeed(nodeSeed);
  nodeId = await setupNode(api, pairOf('//dpl//farmer'), nodePair, u8aToHex(nodeBoxKeyPair(nodeSeed).publicKey));
  boxPk = await nodeBoxPublicKey(api, nodeId);
});

afterAll(async () => {
  await api?.disconnect();
  await node?.stop();
});

/** A valid deployment whose sealed form spans several notary chunks. */
function bigDeployment(tag: string): Deployment {
  return new DeploymentBuilder(deployerTwin, nodeId)
    .description(`web site ${tag}`)
    .metadata(JSON.stringify({ type: 'vm', notes: 'x'.repeat(5000) }))
    .expiration(2_000_000_000)
    .volume('data', { size: 10 * 1024 ** 3 })
    .zmachine('web', {
      image: { url: 'https://example.org/base.tar.gz', sha256: 'a'.repeat(64) },
      compute_capacity: { cpu: 2, memory: 2 * 1024 ** 3 },
      mounts: [{ name: 'data', mountpoint: '/data' }],
      env: { SSH_KEY: 'ssh-ed25519 AAAA' },
    })
    .gatewayNameProxy('gw', { name: `site${tag}`, backends: ['http://10.20.2.2:8080'] })
    .build();
}

async function contractIdOf(hash: string): Promise<number> {
  return ((await api.query.smartContractModule.contractIDByNodeIDAndHash(nodeId, hash)) as unknown as { toNumber(): number }).toNumber();
}

/** Stores `sealed` under `hash` and creates the node contract with `contractHash` in one batch; answers the contract id. */
async function deploy(sealed: Uint8Array, hash: string, contractHash = hash): Promise<number> {
  await sendFinalized(
    api,
    api.tx.utility.batchAll([
      ...notaryCalls(api, sealed, nodeId, hash),
      api.tx.smartContractModule.createNodeContract(nodeId, contractHash, '', 0, null),
    ]),
    deployer,
  );
  return contractIdOf(contractHash);
}

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<DeploymentErrorCode | 'OK'> {
  try {
    await (typeof p === 'function' ? p() : p);
    return 'OK';
  } catch (e) {
    if (e instanceof DeploymentError) return e.code;
    throw e;
  }
}

test('round trip: build, sign, seal, store in chunks, contract with the hash; the node fetches, opens and verifies', async () => {
  const d = bigDeployment('1');
  const p = prepareDeployment(d, deployer, boxPk);
  expect(p.hash).toMatch(/^[0-9a-f]{32}$/);
  expect(p.hash).toBe(deploymentHash(JSON.parse(JSON.stringify(d)))); // any key order hashes the same
  expect(p.sealed.length).toBeGreaterThan(2 * CHUNK_SIZE);
  const calls = [...notaryCalls(api, p.sealed, nodeId, p.hash), api.tx.smartContractModule.createNodeContract(nodeId, p.hash, '', 0, null)];
  expect(calls.length).toBe(Math.ceil(p.sealed.length / CHUNK_SIZE) + 2); // chunks, manifest, contract
  await sendFinalized(api, api.tx.utility.batchAll(calls), deployer);
  const manifest = JSON.parse(
    ((await api.query.tfkvStore.tfkvStore(deployer.address, notaryKey(nodeId, p.hash))) as unknown as { toUtf8(): string }).toUtf8(),
  );
  expect(manifest).toMatchObject({ v: 1, chunks: Math.ceil(p.sealed.length / CHUNK_SIZE), size: p.sealed.length });

  // The node's side, from the contract id alone.
  const contractId = await contractIdOf(p.hash);
  const contract = await readNodeContract(api, contractId);
  expect(contract).toEqual({ contract_id: contractId, twin_id: deployerTwin, node_id: nodeId, deployment_hash: p.hash, state: 'created' });
  const got = await receiveDeployment(api, contractId, nodeSeed);
  expect(got.deployment).toEqual(d);
  expect(got.hash).toBe(p.hash);
  expect(got.signature.signer_type).toBe('sr25519');
  // The same in steps.
  const sealed = await fetchDeployment(api, deployer.address, nodeId, p.hash);
  expect(u8aToHex(sealed)).toBe(u8aToHex(p.sealed));
  const owner = (await readTwin(api, deployerTwin))!;
  expect(openDeployment({ sealed, nodeSeed, contract: contract!, ownerPublicKey: owner.public_key }).deployment).toEqual(d);
});

test('an ed25519 owner signs as ed25519', async () => {
  const owner = pairOf('//dpl//ed', 'ed25519');
  const d = { ...bigDeployment('ed'), twin_id: 99 };
  const p = prepareDeployment(d, owner, boxPk);
  expect(p.signed.signature.signer_type).toBe('ed25519');
  const opened = openDeployment({
    sealed: p.sealed,
    nodeSeed,
    contract: { twin_id: 99, node_id: nodeId, deployment_hash: p.hash },
    ownerPublicKey: owner.address,
  });
  expect(opened.deployment).toEqual(d);
});

test('refusals on chain: corrupted chunk, missing chunk, missing manifest, hash differing from the contract', async () => {
  // Tampered in the notary: a chunk's bytes flipped after storing.
  const a = prepareDeployment(bigDeployment('2'), deployer, boxPk);
  const aId = await deploy(a.sealed, a.hash);
  const flipped = a.sealed.slice(CHUNK_SIZE, 2 * CHUNK_SIZE);
  flipped[100] ^= 0xff;
  await sendFinalized(api, api.tx.tfkvStore.set(notaryKey(nodeId, a.hash, 1), u8aToHex(flipped)), deployer);
  expect(await codeOf(receiveDeployment(api, aId, nodeSeed))).toBe('NOTARY_CORRUPTED');
  // A chunk removed.
  await sendFinalized(api, api.tx.tfkvStore.delete(notaryKey(nodeId, a.hash, 0)), deployer);
  expect(await codeOf(receiveDeployment(api, aId, nodeSeed))).toBe('NOTARY_MISSING');
  // Nothing stored for a hash.
  expect(await codeOf(fetchDeployment(api, deployer.address, nodeId, 'f'.repeat(32)))).toBe('NOTARY_MISSING');

  // The notary holds deployment B under a hash whose contract is C's: the hash differs.
  const b = prepareDeployment(bigDeployment('3'), deployer, boxPk);
  const otherHash = deploymentHash(bigDeployment('4'));
  const bId = await deploy(b.sealed, otherHash);
  expect((await readNodeContract(api, bId))!.deployment_hash).toBe(otherHash);
  expect(await codeOf(receiveDeployment(api, bId, nodeSeed))).toBe('HASH_MISMATCH');
});

describe('refusals by the node, each with its own code', () => {
  let d: Deployment;
  let hash: string;
  const terms = () => ({ twin_id: deployerTwin, node_id: nodeId, deployment_hash: hash });
  const open =
    (sealed: Uint8Array, contract = terms()) =>
    () =>
      openDeployment({ sealed, nodeSeed, contract, ownerPublicKey: deployer.publicKey });

  beforeAll(() => {
    d = bigDeployment('5');
    hash = deploymentHash(d);
  });

  test('valid', async () => {
    expect(await codeOf(open(prepareDeployment(d, deployer, boxPk).sealed))).toBe('OK');
  });

  test('tampered sealed bytes (a flipped byte in the box): the seal does not open', async () => {
    const sealed = prepareDeployment(d, deployer, boxPk).sealed;
    sealed[sealed.length - 10] ^= 1;
    expect(await codeOf(open(sealed))).toBe('SEAL_NOT_OPENED');
  });

  test('sealed to another key', async () => {
    expect(await codeOf(open(prepareDeployment(d, deployer, nacl.box.keyPair().publicKey).sealed))).toBe('SEAL_NOT_OPENED');
    expect(await codeOf(open(prepareDeployment(d, deployer, nodeBoxKeyPair(new Uint8Array(32).fill(8)).publicKey).sealed))).toBe(
      'SEAL_NOT_OPENED',
    );
  });

  test('unsigned', async () => {
    expect(await codeOf(open(seal(stringToU8a(canonicalize({ deployment: d })), boxPk)))).toBe('SIGNATURE_MISSING');
    expect(
      await codeOf(open(seal(stringToU8a(canonicalize({ deployment: d, signature: { signer_type: 'sr25519', signature: '' } })), boxPk))),
    ).toBe('SIGNATURE_MISSING');
  });

  test('signed by another key than the contract twin', async () => {
    expect(await codeOf(open(prepareDeployment(d, pairOf('//dpl//mallory'), boxPk).sealed))).toBe('SIGNATURE_INVALID');
    // A signature over another document.
    const other = signDeployment({ ...d, description: 'other' }, deployer);
    expect(await codeOf(open(seal(encodeEnvelope({ deployment: d, signature: other.signature }), boxPk)))).toBe('SIGNATURE_INVALID');
  });

  test('hash differs from the contract', async () => {
    expect(
      await codeOf(open(prepareDeployment(d, deployer, boxPk).sealed, { ...terms(), deployment_hash: deploymentHash(bigDeployment('6')) })),
    ).toBe('HASH_MISMATCH');
  });

  test('malformed: not JSON, not an envelope', async () => {
    expect(await codeOf(open(seal(stringToU8a('{"deployment": '), boxPk)))).toBe('MALFORMED');
    expect(await codeOf(open(seal(stringToU8a('[1,2]'), boxPk)))).toBe('MALFORMED');
    expect(await codeOf(open(seal(new Uint8Array([0xff, 0xfe]), boxPk)))).toBe('MALFORMED');
  });

  test('a signed deployment with an invalid workload, and one naming another twin', async () => {
    const bad = JSON.parse(JSON.stringify(d)) as Deployment;
    bad.workloads[0].data.size = -1;
    bad.workloads.push({ version: 0, name: 'x', type: 'container' as never, data: {}, metadata: '', description: '' });
    const signedBad = signDeployment(bad, deployer);
    const badTerms = { ...terms(), deployment_hash: deploymentHash(bad) };
    let err: DeploymentError | undefined;
    try {
      open(seal(encodeEnvelope(signedBad), boxPk), badTerms)();
    } catch (e) {
      err = e as DeploymentError;
    }
    expect(err?.code).toBe('WORKLOAD_INVALID');
    expect(err?.problems.map((p) => p.path)).toEqual(['$.workloads[0].data.size', '$.workloads[3].type']);

    const foreign = { ...d, twin_id: deployerTwin + 1000 };
    const signedForeign = signDeployment(foreign, deployer);
    expect(await codeOf(open(seal(encodeEnvelope(signedForeign), boxPk), { ...terms(), deployment_hash: deploymentHash(foreign) }))).toBe(
      'CONTRACT_MISMATCH',
    );
  });
});

test('the builder names every broken rule', () => {
  let err: DeploymentError | undefined;
  try {
    new DeploymentBuilder(0, 1)
      .expiration(-5)
      .volume('v', { size: 0 })
      .vm('v', { flist: 'not a url', compute_capacity: { cpu: 0, memory: 1 }, mounts: [{ name: 'missing', mountpoint: 'data' }] })
      .gatewayNameProxy('gw', { name: 'A!', backends: [] })
      .build();
  } catch (e) {
    err = e as DeploymentError;
  }
  expect(err).toBeInstanceOf(DeploymentError);
  expect(err!.code).toBe('DEPLOYMENT_INVALID');
  expect(err!.problems.map((p) => p.path)).toEqual([
    '$.twin_id',
    '$.expiration',
    '$.workloads[0].data.size',
    '$.workloads[1].name',
    '$.workloads[1].data.flist',
    '$.workloads[1].data.compute_capacity.cpu',
    '$.workloads[1].data.compute_capacity.memory',
    '$.workloads[1].data.mounts[0].mountpoint',
    '$.workloads[2].data.name',
    '$.workloads[2].data.backends',
    '$.workloads[1].data.mounts[0].name',
  ]);
  expect(err!.message).toMatch(/'v' is used twice/);
  expect(() => new DeploymentBuilder(1, 1).build()).toThrow(/workloads must be a non-empty array/);
});

test('zmachine and zmount data follow Zero-OS, and validation names the wrong field', () => {
  const image = { url: 'http://127.0.0.1:1/busybox.tar', sha256: 'b'.repeat(64) };
  const ok = new DeploymentBuilder(1, 1)
    .zmount('disk', { size: 64 * 1024 ** 2 })
    .volume('data', { size: 64 * 1024 ** 2 })
    .zmachine('web', {
      image,
      size: 32 * 1024 ** 2,
      compute_capacity: { cpu: 1, memory: 256 * 1024 ** 2 },
      mounts: [
        { name: 'disk', mountpoint: '/disk' },
        { name: 'data', mountpoint: '/data' },
      ],
      entrypoint: 'httpd -f',
      env: { A: '1' },
      network: {},
    })
    .build();
  expect(ok.workloads.map((w) => w.type)).toEqual(['zmount', 'volume', 'zmachine']);
  const problems = (b: DeploymentBuilder) => {
    try {
      b.build();
      return [];
    } catch (e) {
      return (e as DeploymentError).problems.map((p) => `${p.path} ${p.message}`);
    }
  };
  const cc = { cpu: 1, memory: 256 * 1024 ** 2 };
  expect(problems(new DeploymentBuilder(1, 1).zmachine('m', { compute_capacity: cc }))).toEqual([
    '$.workloads[0].data.image give exactly one of image {url, sha256} or flist',
  ]);
  expect(
    problems(
      new DeploymentBuilder(1, 1).zmachine('m', {
        image: { url: 'ftp://x', sha256: 'XY' },
        size: -1,
        compute_capacity: cc,
        env: { 'A B': 'x' },
        network: [] as never,
      }),
    ),
  ).toEqual([
    '$.workloads[0].data.image.url must be an http(s) URL of at most 2048 characters',
    '$.workloads[0].data.image.sha256 must be 64 lower-case hex digits',
    '$.workloads[0].data.size must be an integer >= 0 (bytes)',
    '$.workloads[0].data.env must map at most 128 names ([A-Za-z_][A-Za-z0-9_]*) to strings',
    '$.workloads[0].data.network must be an object {interfaces, planetary, public_ip}',
  ]);
  expect(
    problems(new DeploymentBuilder(1, 1).zmachine('m', { image, compute_capacity: cc, mounts: [{ name: 'x', mountpoint: '/a/../b' }] })),
  ).toEqual([
    '$.workloads[0].data.mounts[0].mountpoint must be an absolute path without . or .. parts, other than /',
    "$.workloads[0].data.mounts[0].name no volume or zmount named 'x' in this deployment",
  ]);
  const twice = new DeploymentBuilder(1, 1)
    .zmount('disk', { size: 1 })
    .zmachine('a', { image, compute_capacity: cc, mounts: [{ name: 'disk', mountpoint: '/d' }] })
    .vm('b', { image, compute_capacity: cc, mounts: [{ name: 'disk', mountpoint: '/d' }] });
  expect(problems(twice)).toEqual(["$.workloads[2].data.mounts[0].name 'disk' is already mounted by 'a'"]);
  expect(problems(new DeploymentBuilder(1, 1).zmount('z', { size: 0 }))).toEqual([
    '$.workloads[0].data.size must be a positive integer (bytes)',
  ]);
});
