// Ajuda widget — the embed snippet for the platform's login page (channel "login").
// In a file, not inline, because this page's Content-Security-Policy forbids inline scripts.
window.Ajuda = window.Ajuda || function () { (Ajuda.q = Ajuda.q || []).push(arguments); };
Ajuda('boot', { channel: 'login', locale: document.documentElement.lang });
