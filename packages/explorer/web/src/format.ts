/** Sizes in GiB/TiB, times and ratios as the pages show them. */
const GiB = 1024 ** 3;
const TiB = 1024 ** 4;

export function size(bytes: number): string {
  if (bytes >= TiB) return `${(bytes / TiB).toFixed(bytes >= 10 * TiB ? 0 : 1)} TiB`;
  if (bytes >= GiB || bytes === 0) return `${(bytes / GiB).toFixed(bytes >= 10 * GiB || bytes === 0 ? 0 : 1)} GiB`;
  return `${Math.round(bytes / 1024 ** 2)} MiB`;
}
export const gibToBytes = (gib: number): number => Math.round(gib * GiB);
export const bytesToGib = (bytes: number): number => Math.round((bytes / GiB) * 100) / 100;

export const percent = (ratio: number): string => `${(ratio * 100).toFixed(ratio === 1 || ratio === 0 ? 0 : 1)} %`;

export function date(unix: number): string {
  if (!unix) return '—';
  return new Date(unix * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export function duration(seconds: number): string {
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

export const tft = (n: number): string => `${n.toLocaleString('en-US', { maximumFractionDigits: 3 })} TFT`;
export const usd = (n: number): string => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
