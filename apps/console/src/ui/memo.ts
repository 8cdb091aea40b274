import { Component, h, type FunctionComponent } from 'preact';

/**
 * Skip re-rendering when props are shallow-equal (like preact/compat's memo, without pulling
 * compat into the bundle).
 *
 * @example const Row = memo(function Row(p: { id: string }) { return <li>{p.id}</li>; });
 */
export function memo<P extends object>(inner: FunctionComponent<P>): FunctionComponent<P> {
  class Memo extends Component<P> {
    override shouldComponentUpdate(next: P): boolean {
      const prev = this.props as Record<string, unknown>;
      const nextRec = next as Record<string, unknown>;
      for (const k in prev) if (k !== 'children' && !(k in nextRec)) return true;
      for (const k in nextRec) if (k !== 'children' && !Object.is(prev[k], nextRec[k])) return true;
      return false;
    }
    override render(props: P) {
      return h(inner, props);
    }
  }
  return Memo as unknown as FunctionComponent<P>;
}
