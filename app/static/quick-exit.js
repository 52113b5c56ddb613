// Quick exit ("Snel weg") for shared phones. Without script the button is a plain link to
// a neutral site (QUICK_EXIT_URL). With it, a press also ends a signed-in session (the
// ordinary logout, POST with the page's CSRF token) and replaces this page in the history,
// so Back does not return to it. Escape pressed twice quickly does the same.
(function () {
  "use strict";
  var link = document.getElementById("quick-exit");
  if (!link) {
    return;
  }
  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    var token = document.querySelector('input[name="csrf_token"]');
    var signedIn = document.querySelector('form[action="/logout"]');
    if (signedIn && token && navigator.sendBeacon) {
      var data = new FormData();
      data.append("csrf_token", token.value);
      navigator.sendBeacon("/logout", data);
    }
    try {
      sessionStorage.clear(); // input kept across a language switch (forms.js)
    } catch (error) {
      /* nothing kept */
    }
    document.body.hidden = true;
    window.location.replace(link.href);
  }
  link.addEventListener("click", leave);
  var last = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var now = Date.now();
    if (now - last < 800) {
      leave(event);
    }
    last = now;
  });
})();
