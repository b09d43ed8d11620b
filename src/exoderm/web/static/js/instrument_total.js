// Live total of an instrument form while it is filled (progressive enhancement).
// The form posts its fields to the server's preview endpoint, which scores them with the
// instrument's own rule and answers with one line of text (total and severity band).
// Nothing is stored; without JavaScript the total is computed when the form is saved.
(function () {
  "use strict";
  var timer = null;

  function refresh(form) {
    var target = document.getElementById("live-total");
    if (!target) { return; }
    var body = new FormData(form);
    var token = body.get("csrf_token") || "";
    fetch(form.getAttribute("data-live-total"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": token }
    }).then(function (response) {
      return response.ok ? response.text() : "Check the form: " + response.status;
    }).then(function (text) {
      target.textContent = text;
    }).catch(function () {
      target.textContent = "computed when you save";
    });
  }

  function schedule(event) {
    var form = event.target.form || event.target.closest("form");
    if (!form || !form.hasAttribute("data-live-total")) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { refresh(form); }, 250);
  }

  document.addEventListener("input", schedule);
  document.addEventListener("change", schedule);
  document.addEventListener("htmx:afterSwap", function (event) {
    var form = event.target.closest && event.target.closest("form[data-live-total]");
    if (form) { refresh(form); }
  });
})();
