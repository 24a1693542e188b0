"""The catalog's pages: one module per page or tab; ``catalog/urls.py`` lists the routes."""
