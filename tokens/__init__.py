"""Static API tokens: long-lived secrets for scripts and integrations such as Port Ocean."""
