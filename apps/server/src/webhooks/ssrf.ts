import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * The webhook sender's guard against server-side request forgery: a webhook may only reach a
 * public unicast address. Loopback, link-local (169.254.169.254, the cloud metadata service),
 * private, unique-local, carrier-grade NAT, unspecified, multicast and reserved addresses are
 * refused — and so are IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4, Teredo). With
 * AJUDA_WEBHOOK_ALLOW_PRIVATE=on (a receiver on the same network, tests on loopback) only
 * unspecified, broadcast and multicast addresses stay refused.
 *
 * The check runs on the address the connection is made to: a custom `lookup` for the request, so a
 * name that resolved to a public address when the endpoint was saved and to a private one now (DNS
 * rebinding) is refused at connect time; an address literal is checked before connecting.
 */

/** Why an address may not be reached, or null when it may. */
export function refusal(address: string, allowPrivate: boolean): string | null {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  const range = ipaddr.process(address).range();
  if (range === 'unicast') return null;
  if (allowPrivate && !['unspecified', 'broadcast', 'multicast'].includes(range)) return null;
  return `${address} is a ${range} address`;
}

export class WebhookAddressRefused extends Error {
  readonly code = 'EWEBHOOKADDR';
  constructor(readonly host: string, readonly reason: string) {
    super(`refused to connect to ${host}: ${reason} (webhooks reach public addresses only; AJUDA_WEBHOOK_ALLOW_PRIVATE=on allows private ones)`);
    this.name = 'WebhookAddressRefused';
  }
}

/** How names are resolved (dns.lookup, or a test's resolver). */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;
export const systemResolve: Resolve = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

/**
 * A `lookup` for http.request / net.connect that resolves the name and refuses it when any of its
 * addresses may not be reached (so no retry on another address family can slip past).
 */
export function guardedLookup(allowPrivate: boolean, resolve: Resolve = systemResolve): LookupFunction {
  return ((hostname: string, options: LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
    resolve(hostname).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        if (!wanted.length) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
        for (const a of wanted) {
          const why = refusal(a.address, allowPrivate);
          if (why) return callback(new WebhookAddressRefused(hostname, why), '', 0);
        }
        if (options.all) callback(null, wanted);
        else callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  }) as LookupFunction;
}

/** A URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Whether a webhook URL may be saved: http or https, no credentials in it, and a host that is not
 * a refused address (a literal, or a name resolving to one now). A name that does not resolve now
 * is accepted: it is checked again at every connection.
 */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean, resolve: Resolve = systemResolve): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'only http and https URLs';
  if (url.username || url.password) return 'no credentials in the URL: verify deliveries by their signature';
  const host = hostOf(url);
  if (isIP(host)) return refusal(host, allowPrivate);
  let addresses: LookupAddress[];
  try {
    addresses = await resolve(host);
  } catch {
    return null;
  }
  for (const a of addresses) {
    const why = refusal(a.address, allowPrivate);
    if (why) return `${host} resolves to a refused address (${why})`;
  }
  return null;
}
