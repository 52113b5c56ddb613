// What people type is never lost, and a form with errors is easy to fix:
// - a page showing errors (the answer to a POST) moves focus to the error summary and
//   replaces its address in the history with the page's own (data-page-url), so reloading
//   it opens the page instead of posting the form again;
// - switching the language keeps what was typed: before the language form posts, the
//   values of the page's forms are kept in this tab's sessionStorage and put back into the
//   same fields when the page comes back in the new language (never passwords or files;
//   the quick exit clears them);
// - choosing a file uploads it at once (the size limit is checked first), so a chosen file
//   is never silently dropped by going on to the next step.
(function () {
  "use strict";
  var KEY = "swl-kept-input";
  var SKIP = { password: true, file: true, hidden: true, submit: true, button: true };

  function postForms() {
    return Array.prototype.filter.call(document.querySelectorAll("main form"), function (form) {
      return (form.getAttribute("method") || "").toLowerCase() === "post";
    });
  }

  function keepInput() {
    var kept = {};
    postForms().forEach(function (form) {
      var values = {};
      Array.prototype.forEach.call(form.elements, function (field) {
        if (!field.name || SKIP[field.type] || field.disabled) {
          return;
        }
        if (field.type === "checkbox" || field.type === "radio") {
          if (field.checked) {
            values[field.name + "=" + field.value] = true;
          }
        } else if (field.value) {
          values[field.name] = field.value;
        }
      });
      kept[form.getAttribute("action") || ""] = values;
    });
    try {
      sessionStorage.setItem(KEY, JSON.stringify({ path: location.pathname, forms: kept }));
    } catch (error) {
      /* storage full or switched off: the switch still works */
    }
  }

  function restoreInput() {
    var raw = null;
    try {
      raw = sessionStorage.getItem(KEY);
      sessionStorage.removeItem(KEY);
    } catch (error) {
      return;
    }
    if (!raw) {
      return;
    }
    var kept = null;
    try {
      kept = JSON.parse(raw);
    } catch (error) {
      return; /* not ours, or damaged: nothing to put back */
    }
    if (!kept || kept.path !== location.pathname || !kept.forms) {
      return;
    }
    postForms().forEach(function (form) {
      var values = kept.forms[form.getAttribute("action") || ""];
      if (!values) {
        return;
      }
      Array.prototype.forEach.call(form.elements, function (field) {
        if (!field.name || SKIP[field.type] || field.disabled) {
          return;
        }
        if (field.type === "checkbox" || field.type === "radio") {
          field.checked = values[field.name + "=" + field.value] === true;
        } else if (Object.prototype.hasOwnProperty.call(values, field.name)) {
          field.value = values[field.name];
        }
      });
    });
  }

  function onErrors() {
    var url = document.body.getAttribute("data-page-url");
    if (url && window.history && history.replaceState) {
      history.replaceState(null, "", url);
    }
    var summary = document.querySelector(".error-summary");
    if (summary) {
      summary.focus();
    }
  }

  function uploadOnChoice(input) {
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) {
        return;
      }
      var limit = parseInt(input.getAttribute("data-max-bytes") || "0", 10);
      var status = document.getElementById(input.id + "-status");
      if (limit && file.size > limit) {
        input.value = "";
        input.setAttribute("aria-invalid", "true");
        if (status) {
          status.textContent = input.getAttribute("data-too-big") || "";
        }
        return;
      }
      if (status) {
        status.textContent = input.getAttribute("data-uploading") || "";
      }
      if (input.form.requestSubmit) {
        input.form.requestSubmit();
      } else {
        input.form.submit();
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.getAttribute("action") === "/lang") {
      keepInput();
    }
  });
  restoreInput();
  onErrors();
  Array.prototype.forEach.call(
    document.querySelectorAll('input[type="file"][data-upload-on-choice]'),
    uploadOnChoice
  );
})();
