from django.contrib.auth.backends import ModelBackend


class PolicyBackend(ModelBackend):
    """Password login for active accounts; lockout and audit live in accounts.actions."""
