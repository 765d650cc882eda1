/** The fetcher's job and the record of a cache entry: shared by the ImageStore and its fetcher process. */
export const RECORD = 'image.json';

export interface FetchLimits {
  maxBytes: number;
  timeoutMs: number;
  maxUnpackedBytes: number;
  maxEntries: number;
}

export interface FetchJob {
  url: string;
  sha256: string;
  /** A fresh directory of the ImageStore's `.tmp/`, removed by the store afterwards. */
  work: string;
  limits: FetchLimits;
}

/** What `image.json` records of a cache entry. */
export interface ImageRecord {
  sha256: string;
  format: string;
  bytes: number;
  unpackedBytes: number;
  entries: number;
  fetchedAt: number;
}
