from fastapi import FastAPI
from northwind_chassis import instrument

app = FastAPI(title="${{ values.component_id }}", description="${{ values.description }}")
instrument(app, service_name="${{ values.component_id }}")


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
