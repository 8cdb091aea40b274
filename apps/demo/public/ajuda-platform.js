// Ajuda widget — the embed snippet for the signed-in platform (channel "platform").
// It lives in a file, not inline, because this app's Content-Security-Policy forbids inline scripts;
// the page then loads <ajuda-origin>/widget/loader.js with <script async>.
window.Ajuda = window.Ajuda || function () { (Ajuda.q = Ajuda.q || []).push(arguments); };
Ajuda('boot', {
  channel: 'platform',
  locale: document.documentElement.lang,
  // Our backend signs a short-lived identity token for the signed-in user. The loader calls this at
  // start and again whenever the token has expired; the token never appears in a URL.
  getIdentityToken: function () {
    return fetch('/platform/api/identity-token', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'X-Requested-With': 'ajuda' },
    })
      .then(function (r) {
        if (!r.ok) throw new Error('identity-token: HTTP ' + r.status);
        return r.json();
      })
      .then(function (j) {
        return j.token;
      });
  },
});
