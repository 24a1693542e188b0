/* Dependency graph: a "fit to width" toggle for large graphs. The graph itself is drawn on the server. */
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("graph-fit");
  var frame = document.getElementById("graph-frame");
  if (!button || !frame) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var fit = frame.classList.toggle("fit");
    button.setAttribute("aria-pressed", fit ? "true" : "false");
    button.textContent = fit ? "Actual size" : "Fit to width";
  });
});
