/* Catalog table: leave empty filters out of the URLs htmx requests and pushes (?q=&type=&... is noise). */
document.addEventListener("htmx:config:request", function (event) {
  var body = event.detail && event.detail.ctx && event.detail.ctx.request.body;
  if (!(body instanceof FormData)) return;
  var empty = [];
  body.forEach(function (value, key) { if (value === "") empty.push(key); });
  empty.forEach(function (key) { body.delete(key); });
});
