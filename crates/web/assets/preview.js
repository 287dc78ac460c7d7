// Live Markdown preview for the edit forms: a progressive addition. Without
// JavaScript the "Vorschau" button renders the same preview on the server.
(function () {
  "use strict";
  var form = document.querySelector("form[data-preview-url]");
  if (!form || !window.fetch || !window.URLSearchParams) { return; }
  var field = form.querySelector("textarea[data-markdown]");
  if (!field) { return; }
  var section = document.getElementById("live-vorschau");
  if (!section) {
    section = document.createElement("section");
    section.id = "live-vorschau";
    section.className = "preview";
    section.setAttribute("aria-labelledby", "live-vorschau-titel");
    var heading = document.createElement("h2");
    heading.id = "live-vorschau-titel";
    heading.textContent = "Vorschau (live)";
    section.appendChild(heading);
    var body = document.createElement("div");
    body.className = "prose";
    body.setAttribute("aria-live", "polite");
    section.appendChild(body);
    field.closest(".field").after(section);
  }
  var target = section.querySelector(".prose");
  var timer = null;
  var seq = 0;
  function render() {
    var mine = ++seq;
    var data = new URLSearchParams();
    data.set("csrf", form.querySelector("input[name=csrf]").value);
    data.set("body_md", field.value);
    var title = form.querySelector("input[name=title], input[name=name]");
    if (title) { data.set("title", title.value); }
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: data.toString()
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (json) {
        // Only the newest answer counts; the server sanitized the HTML.
        if (json && mine === seq) { target.innerHTML = json.html; }
      })
      .catch(function () { /* the preview button still works */ });
  }
  field.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(render, 500);
  });
  render();
})();
