import { isIP } from 'node:net';

/**
 * A listener's `host:port` (AJUDA_METRICS_ADDR): `127.0.0.1:9464`, `[::1]:9464`, `0.0.0.0:9464`,
 * `localhost:9464`. Port 0 asks the system for a free one (tests). Throws with the reason.
 *
 * @example parseListenAddress('[::1]:9464') // { host: '::1', port: 9464 }
 */
export function parseListenAddress(spec: string): { host: string; port: number } {
  const v = spec.trim();
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(v);
  if (!m) throw new Error(`"${spec}" is not host:port (an IPv6 address goes in brackets: [::1]:9464)`);
  const host = m[1] ?? m[2]!;
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`"${spec}": port ${port} is out of range`);
  if (m[1] !== undefined && isIP(host) !== 6) throw new Error(`"${spec}": ${host} is not an IPv6 address`);
  return { host, port };
}
