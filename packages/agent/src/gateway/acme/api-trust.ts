/**
 * What the ACME client's HTTPS trusts and how long a request may take, per CA. acme-client sends
 * every request through one shared axios instance; a request interceptor gives the requests to a
 * registered origin their own agent — the origin's CA bundle in place of the system's (a local
 * pebble serves its API with a CA of its own) — and a timeout. Other origins are left as they are.
 */
import https from 'node:https';
import * as acme from 'acme-client';

interface OriginSettings {
  agent?: https.Agent;
  timeoutMs: number;
}

const origins = new Map<string, OriginSettings>();
let installed = false;

/** Requests to `directoryUrl`'s origin trust `caPem` only (when given) and time out after `timeoutMs`. */
export function trustForAcmeApi(directoryUrl: string, caPem: string | Buffer | undefined, timeoutMs: number): void {
  const origin = new URL(directoryUrl).origin;
  origins.set(origin, { ...(caPem ? { agent: new https.Agent({ ca: caPem, keepAlive: true }) } : {}), timeoutMs });
  if (installed) return;
  installed = true;
  acme.axios.interceptors.request.use((config) => {
    const url = config.url ? safeOrigin(config.url) : undefined;
    const s = url ? origins.get(url) : undefined;
    if (s) {
      if (s.agent) config.httpsAgent = s.agent;
      config.timeout = s.timeoutMs;
    }
    return config;
  });
}

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
