import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, hostOf, refusal, WebhookAddressRefused, type Resolve } from './ssrf.ts';

export interface PostResult {
  /** The receiver's HTTP status; null when it never answered. */
  status: number | null;
  /** Why the attempt failed (null: a 2xx). */
  error: string | null;
}

const MAX_ERROR = 300;

/**
 * One webhook POST: the address checked at connect time (ssrf.ts), a fresh connection each time,
 * no redirect followed (a 3xx is a failure), a deadline for the whole exchange. Only a 2xx counts
 * as delivered. The answer's body is read and dropped (up to 64 KiB).
 */
export function postWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  opts: { timeoutMs: number; allowPrivate: boolean; resolve?: Resolve },
): Promise<PostResult> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return Promise.resolve({ status: null, error: 'invalid URL' });
  }
  const host = hostOf(url);
  if (isIP(host)) {
    const why = refusal(host, opts.allowPrivate);
    if (why) return Promise.resolve({ status: null, error: new WebhookAddressRefused(host, why).message });
  }
  const request = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : null;
  if (!request) return Promise.resolve({ status: null, error: `unsupported scheme ${url.protocol}` });
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const done = (r: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        lookup: guardedLookup(opts.allowPrivate, opts.resolve),
        headers: { 'content-type': 'application/json', 'user-agent': 'Ajuda-Webhooks/1', 'content-length': String(Buffer.byteLength(body)), ...headers },
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > 64 * 1024) res.destroy();
        });
        const answer = () =>
          done({
            status,
            error: status >= 200 && status < 300 ? null : status >= 300 && status < 400 ? `HTTP ${status}: redirects are not followed` : `HTTP ${status}`,
          });
        res.on('end', answer);
        res.on('close', answer);
        res.on('error', answer);
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    req.on('error', (err: Error) => done({ status: null, error: err.message.slice(0, MAX_ERROR) }));
    req.end(body);
  });
}
