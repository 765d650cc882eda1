/**
 * `npm start -- --nodes N` (N > 1): a grid on one machine (@tfgrid/localgrid) instead of this
 * machine as the one node — N agents, each in its own network namespace on a bridge standing in
 * for the Internet, the chain and the explorer on the bridge address and relayed to 127.0.0.1 on
 * the usual ports (so the CLI works unchanged). The dev image server is relayed onto the bridge,
 * where the agents can fetch it. Prints how to reach each node.
 */
import { onHost, startLocalGrid, startRelay, type LocalGrid, type Relay } from '@tfgrid/localgrid';
import type { DevImages } from './start-images';
import { lineLogger } from './start-log';

/** The grid's fixed default subnet 198.18.100.0/24: a run killed without cleanup is cleared by the next. */
export const START_GRID_SUBNET = 100;

export interface GridOptions {
  nodes: number;
  dataDir: string;
  chainPort: number;
  explorerPort: number;
  subnet: number;
  logLevel: string;
  farmName: string;
}

export interface StartedGrid {
  grid: LocalGrid;
  /** The dev image as the agents reach it (on the bridge). */
  imageUrl: string;
  stop(): Promise<void>;
}

export async function startGrid(o: GridOptions, images: DevImages, signal: AbortSignal): Promise<StartedGrid> {
  // The last node is the gateway node (its public config gets a domain).
  const grid = await startLocalGrid({ ...o, loopback: true, gateways: [o.nodes - 1], logger: lineLogger('grid', o.logLevel), signal });
  let relay: Relay | undefined;
  try {
    const local = new URL(images.url);
    relay = await startRelay({
      listenHost: grid.bridgeIp,
      listenPort: Number(local.port),
      targetHost: local.hostname,
      targetPort: Number(local.port),
      what: 'images port on the bridge',
    });
  } catch (e) {
    await grid.stop();
    throw e;
  }
  const imageUrl = images.url.replace(new URL(images.url).hostname, grid.bridgeIp);
  return {
    grid,
    imageUrl,
    stop: async () => {
      await relay?.stop();
      await grid.stop();
    },
  };
}

/** What `npm start` prints once the grid is up. */
export function gridSummary(g: StartedGrid, farmName: string, imageSha256: string): string {
  const { grid } = g;
  const lo = grid.loopback!;
  const rows = grid.nodes.map((n) =>
    [
      `  node ${n.nodeId}  namespace ${n.ns}  address ${n.ip}  ipv6 ${n.ip6}${n.domain ? `  gateway ${n.domain}` : ''}`,
      `      metrics     ip netns exec ${n.ns} busybox wget -qO- ${n.metricsUrl}`,
      // The node's own mount namespace too: its networks' and machines' namespaces are named there.
      `      a shell     ${onHost(n.ns, ['bash']).join(' ')}`,
      ...(n.planetaryAddress
        ? [
            `      planetary   ${n.planetaryAddress}${n.planetaryListen ? `  (listens on ${n.planetaryListen}; the others peer with it)` : ''}`,
          ]
        : []),
      `      data        ${n.dataDir}   log ${n.log}`,
    ].join('\n'),
  );
  return [
    '',
    `tfgrid is running — ${grid.nodes.length} nodes in farm ${grid.farmId} "${farmName}", one network namespace each on bridge ${grid.bridge} (${grid.bridgeIp}/24, no route off this machine)`,
    `  chain RPC       ${lo.chainUrl}   (in the namespaces ${grid.chainUrl})`,
    `  explorer API    ${lo.explorerUrl}   (in the namespaces ${grid.explorerUrl}; Swagger UI ${lo.explorerUrl}/swagger)`,
    `  explorer page   ${lo.explorerUrl}/   (the grid in a browser: nodes, farms, rewards, live)`,
    `  dev image       ${g.imageUrl}   sha256 ${imageSha256}`,
    `  public IPs      ${grid.publicIps[0]!.ip} - ${grid.publicIps.at(-1)!.ip} in farm ${grid.farmId} (gateway ${grid.bridgeIp}); nodes' public configs: their bridge addresses, IPv6 gateway ${grid.bridgeIp6}`,
    // The local ACME CA (pebble) for own domains on the gateway node: every name resolves to it there.
    ...(grid.acmeDirectory
      ? [
          `  ACME directory  ${grid.acmeDirectory}   (own-domain certificates; its API's TLS CA ${grid.acmeCaFile})`,
          `  ACME root       ${grid.acmeRootFile}   (what it issues chains to; its DNS answers every name with the gateway node's address)`,
        ]
      : []),
    ...rows,
    ...(lo.chainUrl === 'ws://127.0.0.1:9944' && lo.explorerUrl === 'http://127.0.0.1:8080'
      ? []
      : [`  point the CLI   export TFGRID_URL=${lo.chainUrl} TFGRID_EXPLORER=${lo.explorerUrl}`]),
    '  try             npx tfgrid nodes find',
    'Ctrl-C stops everything and removes the namespaces; `npm start -- --nodes N` again resumes the same nodes.',
    '',
  ].join('\n');
}
