/** The TFChain client: a connection, an optional signer with its queue, and the typed modules. */
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import { openApi, type ConnectionOptions } from './connection';
import { keyFromSecret, keysReady, type KeyType } from './keys';
import { TxQueue } from './tx/queue';
import type { SubmitOptions, TxResult, WaitLevel } from './tx/types';
import type { ModuleContext } from './modules/context';
import { twins } from './modules/twins';
import { farms } from './modules/farms';
import { nodes } from './modules/nodes';
import { contracts } from './modules/contracts';
import { kvstore } from './modules/kvstore';
import { balances } from './modules/balances';
import { policies } from './modules/policies';
import { price } from './modules/price';
import { deployments } from './deployment/deployments';

type Tx = SubmittableExtrinsic<'promise'>;

export interface ClientOptions extends ConnectionOptions {
  /** Mnemonic, hex seed or dev URI (`//Alice`); or give `pair`. Without either the client only reads. */
  secret?: string;
  keyType?: KeyType;
  pair?: KeyringPair;
  /** Wait level of writes that name none (default `inBlock`). */
  defaultWait?: WaitLevel;
}

export class TfchainClient {
  readonly api: ApiPromise;
  readonly url: string;
  readonly twins;
  readonly farms;
  readonly nodes;
  readonly contracts;
  readonly kvstore;
  readonly balances;
  readonly policies;
  readonly price;
  /** The deploy path: create, update, wait for and read the node's answer. */
  readonly deployments;
  readonly #pair: KeyringPair | undefined;
  readonly #queue: TxQueue | undefined;

  private constructor(api: ApiPromise, url: string, pair: KeyringPair | undefined, defaultWait: WaitLevel) {
    this.api = api;
    this.url = url;
    this.#pair = pair;
    this.#queue = pair ? new TxQueue(api, pair, { defaultWait }) : undefined;
    const ctx: ModuleContext = { api, send: (tx, o) => this.submit(tx, o), address: () => this.address };
    this.twins = twins(ctx);
    this.farms = farms(ctx);
    this.nodes = nodes(ctx);
    this.contracts = contracts(ctx);
    this.kvstore = kvstore(ctx);
    this.balances = balances(ctx);
    this.policies = policies(ctx);
    this.price = price(ctx);
    this.deployments = deployments(this, () => this.#pair);
  }

  static async connect(options: ClientOptions): Promise<TfchainClient> {
    await keysReady();
    const pair = options.pair ?? (options.secret ? keyFromSecret(options.secret, options.keyType) : undefined);
    const { api, url } = await openApi(options);
    return new TfchainClient(api, url, pair, options.defaultWait ?? 'inBlock');
  }

  /** The signer's SS58 address. */
  get address(): string {
    if (!this.#pair) throw new Error('this client has no key: connect with a secret to sign');
    return this.#pair.address;
  }

  get isConnected(): boolean {
    return this.api.isConnected;
  }

  /** Signs `tx` through the pipelined queue (any extrinsic of `api.tx`). */
  submit(tx: Tx, options?: SubmitOptions): Promise<TxResult> {
    if (!this.#queue) return Promise.reject(new Error('this client has no key: connect with a secret to sign'));
    return this.#queue.submit(tx, options);
  }

  /** All or nothing: `utility.batchAll`; a failing call fails the batch with its own ChainError. */
  batch(txs: Tx[], options?: SubmitOptions): Promise<TxResult> {
    return this.submit(this.api.tx.utility.batchAll(txs), options);
  }

  /** The fee the signer would pay for `tx`, in units. */
  async estimateFee(tx: Tx): Promise<bigint> {
    // Signed with a fake signature of the right size: the fee depends on the length, not the key.
    const api = this.api;
    const fake = api.tx(api.createType('Call', tx.method.toHex())).signFake(this.address, {
      nonce: 0,
      blockHash: api.genesisHash,
      genesisHash: api.genesisHash,
      runtimeVersion: api.runtimeVersion,
    });
    return (await api.rpc.payment.queryInfo(fake.toHex())).partialFee.toBigInt();
  }

  /** Transactions given to the queue and not yet answered. */
  get pendingTransactions(): number {
    return this.#queue?.pending ?? 0;
  }

  /** Rejects what the queue still holds and closes the socket (no reconnect after). */
  async disconnect(): Promise<void> {
    this.#queue?.close();
    await this.api.disconnect();
  }
}

/** Connects to `url` or a network preset, with an optional signer. */
export function connect(options: ClientOptions): Promise<TfchainClient> {
  return TfchainClient.connect(options);
}
