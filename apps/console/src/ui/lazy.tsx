import type { ComponentChildren, ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/**
 * A component of a lazy chunk (a screen or a panel only some agents open): `fallback` (or nothing) until
 * the chunk is here, then the component itself — at once on every later render, so the next conversation
 * or visit shows it without a blank moment. `preload()` fetches it ahead.
 * @example const LazyAdmin = lazyPart(() => import('./Admin.tsx').then((m) => m.Admin), () => <Loading />);
 */
export function lazyPart<P extends object>(load: () => Promise<ComponentType<P>>, fallback?: () => ComponentChildren) {
  let part: Promise<ComponentType<P>> | null = null;
  let ready: ComponentType<P> | null = null;
  const preload = () => (part ??= load().then((c) => (ready = c)));
  function LazyPart(props: P) {
    const [C, setC] = useState(() => ready);
    useEffect(() => {
      let live = true;
      if (!C) void preload().then((c) => live && setC(() => c));
      return () => {
        live = false;
      };
    }, []);
    return C ? <C {...props} /> : <>{fallback?.()}</>;
  }
  return Object.assign(LazyPart, { preload });
}
