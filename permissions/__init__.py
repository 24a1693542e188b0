"""Who may do what: Backstage's permission names, object grants with django-guardian, and policy rules."""
