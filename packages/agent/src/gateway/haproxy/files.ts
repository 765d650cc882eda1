/** The files of the data plane's directory, the short answer bodies, and sizes shared by the config's parts. */
import path from 'node:path';
import type { GatewayLimits } from '../routes/options';

/** Files of the data plane directory. */
export function paths(dir: string): {
  config: string;
  admin: string;
  master: string;
  pid: string;
  routes: string;
  passthrough: string;
  challenges: string;
  lua: string;
  bodies: string;
  certs: string;
  crtList: string;
  tlsInternal: string;
  counted: string;
} {
  return {
    config: path.join(dir, 'haproxy.cfg'),
    admin: path.join(dir, 'admin.sock'),
    master: path.join(dir, 'master.sock'),
    pid: path.join(dir, 'haproxy.pid'),
    routes: path.join(dir, 'routes.map'),
    passthrough: path.join(dir, 'passthrough.map'),
    challenges: path.join(dir, 'challenges.map'),
    lua: path.join(dir, 'gateway.lua'),
    bodies: path.join(dir, 'bodies'),
    certs: path.join(dir, 'certs'),
    crtList: path.join(dir, 'certs', 'list.txt'),
    tlsInternal: path.join(dir, 'tls.sock'),
    counted: path.join(dir, 'counted.sock'),
  };
}

/** Short bodies that say nothing about what is behind the gateway (as the edge always answered). */
export const BODIES = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
} as const;
export const PAUSED_BODY = 'This site is suspended.';

/** A raw HTTP response for `errorfile` (HAProxy sends it as is). */
export function errorFile(status: keyof typeof BODIES, as: keyof typeof BODIES = status): string {
  const body = `${BODIES[as]}\n`;
  return `HTTP/1.1 ${as} ${BODIES[as]}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

/** A duration as HAProxy reads it (at least 1 ms). */
export const ms = (n: number): string => `${Math.max(1, Math.round(n))}ms`;

/** Buffers large enough to hold a head over the limit, so that it is seen and answered 431 (a full buffer is HAProxy's own 400). */
export function bufferSize(l: GatewayLimits): number {
  const need = 2 * l.maxHeaderBytes + 8192;
  return Math.max(16384, Math.ceil(need / 4096) * 4096);
}
