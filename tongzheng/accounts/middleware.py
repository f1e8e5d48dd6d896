class SecurityPolicyMiddleware:
    """Idle timeout, password expiry and the staff second factor (filled in below)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
