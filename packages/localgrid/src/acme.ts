/**
 * The grid's ACME CA: the agent's local ACME server (Debian's pebble, its DNS from
 * pebble-challtestsrv) in the root namespace on the bridge address, where every node reaches it.
 * Its DNS answers every name with the (first) gateway node's address, so any domain "points at"
 * the gateway, and pebble checks HTTP-01 answers on that node's Web Gateway port. Its files
 * (config, TLS CA, root, logs) are in `<dataDir>/acme`; the root is new at every start.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { startLocalAcmeServer, type LocalAcmeServer } from '@tfgrid/agent';
import type { Logger } from 'pino';

export const ACME_COMMANDS = ['pebble', 'pebble-challtestsrv', 'setpriv'];

/** Whether pebble, pebble-challtestsrv and setpriv are on PATH. */
export function acmeInstalled(env: NodeJS.ProcessEnv = process.env): boolean {
  const dirs = (env.PATH ?? '').split(':').filter(Boolean);
  return ACME_COMMANDS.every((c) =>
    dirs.some((d) => {
      try {
        accessSync(path.join(d, c), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    }),
  );
}

export function startGridAcme(
  dataDir: string,
  bridgeIp: string,
  gatewayIp: string,
  gatewayHttpPort: number,
  logger: Logger,
): Promise<LocalAcmeServer> {
  return startLocalAcmeServer({
    host: bridgeIp,
    dir: path.join(dataDir, 'acme'),
    answerIPv4: gatewayIp,
    httpPort: gatewayHttpPort,
    logger,
  });
}
