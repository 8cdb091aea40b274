/**
 * The child side of bench/lib/proc.ts: answer `gc` (collect, then report memory) and any extra
 * commands over the IPC channel, and report readiness.
 */
export function serveIpc(extra: Record<string, () => unknown | Promise<unknown>> = {}): void {
  process.on('message', async (m: { type: string; id: number }) => {
    let data: unknown;
    if (m.type === 'gc') {
      const g = (globalThis as { gc?: () => void }).gc;
      for (let i = 0; i < 3; i++) g?.();
      data = process.memoryUsage();
    } else data = await extra[m.type]?.();
    process.send?.({ type: 'reply', id: m.id, data });
  });
}

export function ready(port: number): void {
  process.send?.({ type: 'ready', port });
}

/** Stop on SIGTERM or when the parent goes away (a benchmark never leaves servers behind). */
export function onStop(fn: () => Promise<void> | void): void {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await fn();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.on('disconnect', () => void stop());
}
