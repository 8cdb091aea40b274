// Page behaviour of the stand-in platform (not part of the snippet): a Help menu entry that opens the
// widget and shows its unread count, and a sign-out that makes the widget forget this browser first.
(function () {
  var help = document.getElementById('help-link');
  var count = document.getElementById('help-count');
  if (help) {
    help.addEventListener('click', function (e) {
      e.preventDefault();
      Ajuda('toggle');
    });
  }
  Ajuda('on', 'unreadCountChange', function (n) {
    if (!count) return;
    count.textContent = n > 0 ? String(n) : '';
    count.hidden = !(n > 0);
  });
  Ajuda('on', 'conversationStarted', function (id) {
    var last = document.getElementById('last-conversation');
    if (last) last.textContent = id;
  });
  var signOut = document.getElementById('sign-out');
  if (signOut) {
    signOut.addEventListener('submit', function (e) {
      e.preventDefault();
      // Logout: the widget forgets the visitor on this browser, then the form goes on.
      Ajuda('shutdown');
      setTimeout(function () {
        signOut.submit();
      }, 700);
    });
  }
})();
