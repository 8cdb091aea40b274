import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  url: string;
}

/** A webhook receiver on loopback: records every request and answers `status` (changeable). */
export interface Receiver {
  url: string;
  port: number;
  got: Received[];
  status: number;
  /** Extra response headers (e.g. a redirect's Location). */
  headers: Record<string, string>;
  /** Resolves when `n` requests have arrived in all. */
  until(n: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function receiver(status = 204): Promise<Receiver> {
  const got: Received[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const r = { got, status, headers: {} as Record<string, string> } as Receiver;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), url: req.url ?? '' });
      res.writeHead(r.status, r.headers).end();
      for (const w of [...waiters]) if (got.length >= w.n) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return Object.assign(r, {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    until(n: number, timeoutMs = 10_000) {
      if (got.length >= n) return Promise.resolve(got);
      return new Promise<Received[]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`receiver: ${got.length} of ${n} requests`)), timeoutMs);
        waiters.push({ n, resolve: () => (clearTimeout(timer), resolve(got)) });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
