/* Light or dark: the stored choice, else the system preference. Loaded in <head> so the page never flashes. */
(function () {
  var KEY = "greenroom-theme";
  var media = window.matchMedia("(prefers-color-scheme: dark)");

  function stored() {
    try { return localStorage.getItem(KEY); } catch (e) { return null; }
  }
  function apply(theme) {
    var root = document.documentElement;
    root.setAttribute("data-theme", theme);
    root.classList.toggle("dark-mode", theme === "dark"); /* Swagger UI's own dark styles */
  }
  function current() { return document.documentElement.getAttribute("data-theme"); }

  apply(stored() || (media.matches ? "dark" : "light"));
  media.addEventListener("change", function (event) {
    if (!stored()) apply(event.matches ? "dark" : "light");
  });

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("theme-toggle");
    if (!button) return;
    function label() {
      var next = current() === "dark" ? "light" : "dark";
      button.setAttribute("aria-label", "Switch to " + next + " theme");
      button.setAttribute("title", "Switch to " + next + " theme");
    }
    label();
    button.addEventListener("click", function () {
      var next = current() === "dark" ? "light" : "dark";
      try { localStorage.setItem(KEY, next); } catch (e) { /* private mode: this page only */ }
      apply(next);
      label();
    });
  });
})();
