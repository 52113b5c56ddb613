// Forms that change something for someone else ask once more before they are sent:
// <form data-confirm="Question?">. No inline script, so the page's CSP can forbid it.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
})();
