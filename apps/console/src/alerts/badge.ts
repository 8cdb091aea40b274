/**
 * The tab's title and favicon: `(n) Ajuda Console` and a counter on the icon. `n` is the alerts this
 * person has not looked at yet when there are any (engine.ts), else the unread messages (the header).
 */
let base = '';
let unread = 0;
let unseen = 0;
let icon: HTMLLinkElement | null = null;
let plainIcon: string | null = null;

function paint(): void {
  const n = unseen || unread;
  document.title = n > 0 ? `(${n}) ${base}` : base;
  icon ??= document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (!icon) return;
  plainIcon ??= icon.href;
  icon.href = unseen > 0 ? drawIcon(unseen) : plainIcon;
}

function drawIcon(n: number): string {
  const c = document.createElement('canvas');
  c.width = c.height = 32;
  const g = c.getContext('2d');
  if (!g) return plainIcon ?? '';
  g.fillStyle = '#0b6e4f';
  g.beginPath();
  g.arc(14, 18, 13, 0, 7);
  g.fill();
  g.fillStyle = '#c8102e';
  g.beginPath();
  g.arc(22, 10, 10, 0, 7);
  g.fill();
  g.fillStyle = '#fff';
  g.font = 'bold 14px sans-serif';
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  g.fillText(n > 9 ? '9+' : String(n), 22, 11);
  return c.toDataURL('image/png');
}

/** The header's part: the title and the unread count. */
export function setUnread(n: number, title: string): void {
  unread = n;
  base = title;
  paint();
}

/** The engine's part: alerts not looked at yet. */
export function setUnseen(n: number): void {
  if (n === unseen) return;
  unseen = n;
  paint();
}
