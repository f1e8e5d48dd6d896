from django.urls import path

from tongzheng.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("chain/", views.chain_status, name="chain_status"),
    path("chain/verify/", views.chain_verify, name="chain_verify"),
]
