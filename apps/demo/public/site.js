// Marketing site behaviour: "Talk to us" buttons open the widget.
(function () {
  var buttons = document.querySelectorAll('[data-open-help]');
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener('click', function (e) {
      e.preventDefault();
      Ajuda('show');
    });
  }
})();
