/**
 * Power management: the farmer (or farmerbot) sets the node's power target on chain; the node
 * follows it. Target Down → `change_power_state(Down)`, then the shutdown hook (a shell command
 * that powers the machine off). Target Up → `change_power_state(Up)` (a node that boots reports
 * itself Up). It always acts on the target the chain holds now, never on an event's old value,
 * so replaying a PowerTargetChanged after a restart cannot power the machine down again by mistake.
 */
import { spawn } from 'node:child_process';
import type { Logger } from 'pino';
import { decodeEvent, type ChainEvent, type Power, type TfchainClient } from '@tfgrid/client';
import { raceAbort, retry } from './core/backoff';
import type { AgentMetrics } from './core/metrics';
import { txErrorName } from './reports/tx-error';

export interface PowerOptions {
  client: TfchainClient;
  nodeId: number;
  logger: Logger;
  metrics?: AgentMetrics;
  /** Run through /bin/sh -c after the chain accepted Down. */
  shutdownHook?: string;
  retryMinMs?: number;
  retryMaxMs?: number;
}

export interface PowerStatus {
  target?: Power;
  state?: Power;
  hookRuns: number;
  lastHookExit?: number | null;
}

export class PowerManager {
  readonly #o: PowerOptions;
  readonly #log: Logger;
  #abort = new AbortController();
  #target: Power | undefined;
  #state: Power | undefined;
  #hookRuns = 0;
  #lastHookExit: number | null | undefined;
  #serial: Promise<void> = Promise.resolve();

  constructor(o: PowerOptions) {
    this.#o = o;
    this.#log = o.logger.child({ module: 'power' });
  }

  /** Follows the target the chain holds at start (a node booting while its target is Down goes down again). */
  start(): Promise<void> {
    this.#abort = new AbortController();
    return this.sync();
  }

  async stop(): Promise<void> {
    this.#abort.abort(new Error('power manager stopping'));
    await this.#serial.catch(() => undefined);
  }

  /** The follower's event listener: acts on PowerTargetChanged for this node. */
  onEvent = async (e: ChainEvent): Promise<void> => {
    if (e.name !== 'TfgridModule.PowerTargetChanged') return;
    const ev = decodeEvent(e);
    if (ev?.name !== 'TfgridModule.PowerTargetChanged' || ev.nodeId !== this.#o.nodeId) return;
    await this.sync();
  };

  status(): PowerStatus {
    return {
      ...(this.#target ? { target: this.#target } : {}),
      ...(this.#state ? { state: this.#state } : {}),
      hookRuns: this.#hookRuns,
      ...(this.#lastHookExit !== undefined ? { lastHookExit: this.#lastHookExit } : {}),
    };
  }

  /** Reads the node's power on chain and converges to its target. */
  sync(): Promise<void> {
    const p = this.#serial.then(() => this.#sync());
    this.#serial = p.catch(() => undefined);
    return p;
  }

  async #sync(): Promise<void> {
    const signal = this.#abort.signal;
    const { client, nodeId } = this.#o;
    const opts = { signal, minMs: this.#o.retryMinMs ?? 1000, maxMs: this.#o.retryMaxMs ?? 60_000 };
    const power = await retry(() => raceAbort(client.nodes.power(nodeId), signal), opts);
    this.#target = power.target;
    this.#state = power.state;
    if (power.state !== power.target) {
      await retry(() => raceAbort(client.nodes.changePowerState(power.target), signal), {
        ...opts,
        onError: (e, attempt, delayMs) => {
          this.#o.metrics?.txFailed('change_power_state', txErrorName(e));
          this.#log.warn({ err: (e as Error).message, attempt, retryInMs: delayMs }, 'change_power_state failed');
        },
      });
      this.#state = power.target;
      this.#log.info({ nodeId, state: power.target }, 'power state reported');
    }
    if (power.target === 'Down') await this.#runHook();
  }

  async #runHook(): Promise<void> {
    const hook = this.#o.shutdownHook;
    if (!hook) {
      this.#log.warn('power target is Down but no shutdown hook is configured: the machine stays on');
      return;
    }
    this.#hookRuns++;
    this.#log.info('running the shutdown hook');
    this.#lastHookExit = await new Promise<number | null>((resolve) => {
      const child = spawn('/bin/sh', ['-c', hook], { stdio: 'ignore' });
      child.on('error', () => resolve(null));
      child.on('exit', (code) => resolve(code));
    });
    if (this.#lastHookExit !== 0) this.#log.warn({ exitCode: this.#lastHookExit }, 'shutdown hook failed');
  }
}
