urlpatterns = []
NAVIGATION = []
