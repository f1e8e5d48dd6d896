def navigation(request):
    """Navigation entries for the signed-in user's roles (filled by app registrations)."""
    return {}
