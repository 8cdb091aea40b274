// Ajuda widget — the embed snippet for the marketing site (channel "website").
// In a file, not inline, because this site's Content-Security-Policy forbids inline scripts.
window.Ajuda = window.Ajuda || function () { (Ajuda.q = Ajuda.q || []).push(arguments); };
Ajuda('boot', { channel: 'website', locale: document.documentElement.lang, theme: { primary: '#0b6e4f', position: 'right' }, loadOn: 'idle' });
