/** The gateway as the agent's config describes it: listen addresses, the certificate directory, the ACME directory for own domains. */
import path from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AgentConfig } from '../config/config';
import type { NruSink } from '../core/workload-types';
import { acmeCertificatesFromConfig } from './acme/setup';
import type { ChallengeResponder } from './acme/types';
import { DirectoryCertificateSource } from './routes/certificates';
import { Gateway } from './gateway';
import type { GatewayLimits } from './routes/options';

/** What of the agent's config the gateway reads (dataDir: where its data plane and ACME state live; a temporary directory without it). */
export type GatewayConfig = Pick<
  AgentConfig,
  'gatewayHttpAddress' | 'gatewayHttpsAddress' | 'gatewayCertDir' | 'acmeDirectory' | 'acmeCa' | 'acmeEmail'
> &
  Partial<Pick<AgentConfig, 'dataDir'>>;

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

/**
 * A Gateway on `gatewayHttpAddress`, and on `gatewayHttpsAddress` when `gatewayCertDir` (the
 * domain's wildcard) or `acmeDirectory` (own domains' certificates, HTTP-01 answered by this
 * gateway) is set. Call start().
 */
export function gatewayFromConfig(c: GatewayConfig, o: GatewayFromConfigOptions): Gateway {
  const certificates = c.gatewayCertDir ? new DirectoryCertificateSource({ dir: c.gatewayCertDir, logger: o.logger }) : undefined;
  // The ACME client publishes its answers through the gateway it serves certificates to.
  let gateway: Gateway | undefined;
  const responder: ChallengeResponder = {
    publish: (token, keyAuthorization) => gateway!.challenges.publish(token, keyAuthorization),
    withdraw: (token) => gateway!.challenges.withdraw(token),
  };
  if (c.acmeDirectory !== undefined && c.dataDir === undefined)
    throw Object.assign(new Error('an ACME directory needs a data directory (its account and certificates are kept there)'), {
      code: 'GATEWAY_CONFIG',
    });
  const fqdnCertificates =
    c.dataDir !== undefined ? acmeCertificatesFromConfig({ ...c, dataDir: c.dataDir }, responder, o.logger) : undefined;
  gateway = new Gateway({
    logger: o.logger,
    registry: o.registry,
    nru: o.nru,
    domain: o.domain,
    httpAddress: c.gatewayHttpAddress,
    ...(certificates || fqdnCertificates ? { httpsAddress: c.gatewayHttpsAddress } : {}),
    ...(certificates ? { certificates } : {}),
    ...(fqdnCertificates ? { fqdnCertificates } : {}),
    ...(o.limits ? { limits: o.limits } : {}),
    ...(o.allowLocalBackends ? { allowLocalBackends: true } : {}),
    ...(c.dataDir ? { runDir: path.join(c.dataDir, 'gateway', 'haproxy') } : {}),
  });
  return gateway;
}
