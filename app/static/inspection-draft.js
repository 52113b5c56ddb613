// The recording page keeps what the inspector typed: on this phone (localStorage) at
// once, and on the server a moment later. Signal fields (data-no-draft), the file and the
// token are never kept in a draft.
(function () {
  "use strict";
  // A visit just recorded: its drafts on this phone are done with.
  var recorded = document.querySelector("[data-recorded-inspection]");
  if (recorded) {
    forget("inspection-draft-" + recorded.dataset.recordedInspection + "-");
    return;
  }
  var form = document.getElementById("record-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  var key = form.dataset.draftKey;
  var status = document.getElementById("draft-status");
  var timer = null;

  function forget(prefix, keep) {
    try {
      for (var i = window.localStorage.length - 1; i >= 0; i -= 1) {
        var name = window.localStorage.key(i);
        if (name && name !== keep && name.indexOf(prefix) === 0) { window.localStorage.removeItem(name); }
      }
    } catch (e) { /* storage unavailable: nothing kept */ }
  }

  function fields() {
    var data = new FormData(form);
    var kept = {};
    data.forEach(function (value, name) {
      var element = form.elements.namedItem(name);
      if (name === "csrf_token" || name === "photo" || name === "action") { return; }
      if (element && element.dataset && "noDraft" in element.dataset) { return; }
      if (element instanceof RadioNodeList && element[0] && "noDraft" in element[0].dataset) { return; }
      if (typeof value !== "string") { return; }
      if (kept[name] === undefined) { kept[name] = value; }
      else { kept[name] = [].concat(kept[name], value); }
    });
    return kept;
  }

  function restore() {
    var stored;
    try { stored = JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { stored = null; }
    if (!stored || !stored.values) { return; }
    var server = form.dataset.savedAt ? Date.parse(form.dataset.savedAt) : 0;
    if (stored.at <= server) { return; }
    Object.keys(stored.values).forEach(function (name) {
      var value = stored.values[name];
      var element = form.elements.namedItem(name);
      if (!element || name === "version") { return; }
      if (element instanceof RadioNodeList) {
        Array.prototype.forEach.call(element, function (option) {
          if (option.type === "radio" || option.type === "checkbox") {
            option.checked = [].concat(value).indexOf(option.value) !== -1;
          }
        });
      } else if (element.type === "checkbox") {
        element.checked = [].concat(value).indexOf(element.value) !== -1;
      } else if (element.type !== "file") {
        element.value = value;
      }
    });
  }

  function send() {
    var values = fields();
    try { window.localStorage.setItem(key, JSON.stringify({ at: Date.now(), values: values })); } catch (e) { /* full or private: the server copy still counts */ }
    var body = new FormData();
    body.append("csrf_token", form.elements.namedItem("csrf_token").value);
    Object.keys(values).forEach(function (name) {
      [].concat(values[name]).forEach(function (value) { body.append(name, value); });
    });
    fetch(form.dataset.draftUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        if (!status) { return; }
        status.textContent = response.ok ? status.dataset.saved || "✓" : status.dataset.offline || "!";
      })
      .catch(function () { if (status) { status.textContent = status.dataset.offline || "!"; } });
  }

  function changed(event) {
    if (event.target && event.target.dataset && "noDraft" in event.target.dataset) { return; }
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(send, 1500);
  }

  // Drafts of this visit's earlier versions are stale.
  forget(key.slice(0, key.lastIndexOf("-") + 1), key);
  restore();
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
})();
