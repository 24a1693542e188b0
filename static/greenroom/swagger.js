/* Render the OpenAPI definition embedded in the page (json_script "openapi-definition") with Swagger UI. */
document.addEventListener("DOMContentLoaded", function () {
  var data = document.getElementById("openapi-definition");
  var target = document.getElementById("swagger-ui");
  if (!data || !target || typeof SwaggerUIBundle === "undefined") return;
  SwaggerUIBundle({
    spec: JSON.parse(data.textContent),
    domNode: target,
    deepLinking: false,
    supportedSubmitMethods: [],
    defaultModelsExpandDepth: 0,
    validatorUrl: null,
  });
  var source = document.getElementById("swagger-source"); /* open without JavaScript, folded with it */
  if (source) source.open = false;
});
