/** The gateway as the agent's config describes it: listen addresses and the certificate directory. */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AgentConfig } from '../config';
import type { NruSink } from '../workloads/types';
import { DirectoryCertificateSource } from './certificates';
import { Gateway } from './gateway';
import type { GatewayLimits } from './options';

export interface GatewayFromConfigOptions {
  logger: Logger;
  /** The agent's metrics registry. */
  registry: Registry;
  /** The agent's NRU report queue. */
  nru: NruSink;
  /** The node's public config domain. */
  domain: string;
  limits?: Partial<GatewayLimits>;
  /** Tests and one-machine setups only. */
  allowLocalBackends?: boolean;
}

/** A Gateway on `gatewayHttpAddress`, and on `gatewayHttpsAddress` when `gatewayCertDir` is set. Call start(). */
export function gatewayFromConfig(
  c: Pick<AgentConfig, 'gatewayHttpAddress' | 'gatewayHttpsAddress' | 'gatewayCertDir'>,
  o: GatewayFromConfigOptions,
): Gateway {
  const certificates = c.gatewayCertDir ? new DirectoryCertificateSource({ dir: c.gatewayCertDir, logger: o.logger }) : undefined;
  return new Gateway({
    logger: o.logger,
    registry: o.registry,
    nru: o.nru,
    domain: o.domain,
    httpAddress: c.gatewayHttpAddress,
    ...(certificates ? { httpsAddress: c.gatewayHttpsAddress, certificates } : {}),
    ...(o.limits ? { limits: o.limits } : {}),
    ...(o.allowLocalBackends ? { allowLocalBackends: true } : {}),
  });
}
