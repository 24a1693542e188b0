"""The catalog API's views, one module per resource."""
