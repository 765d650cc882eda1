/** Public TFChain endpoints. Presets only: tests always run against a local dev chain. */
export const NETWORKS = {
  dev: 'ws://127.0.0.1:9944',
  devnet: 'wss://tfchain.dev.grid.tf/ws',
  qanet: 'wss://tfchain.qa.grid.tf/ws',
  testnet: 'wss://tfchain.test.grid.tf/ws',
  mainnet: 'wss://tfchain.grid.tf/ws',
} as const;

export type NetworkName = keyof typeof NETWORKS;

/** The WebSocket URL of a preset. */
export function networkUrl(name: NetworkName): string {
  const url = NETWORKS[name];
  if (!url) throw new Error(`unknown network '${String(name)}' (known: ${Object.keys(NETWORKS).join(', ')})`);
  return url;
}
