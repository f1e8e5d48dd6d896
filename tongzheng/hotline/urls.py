from django.urls import path

from tongzheng.hotline import views

app_name = "hotline"

urlpatterns = [
    path("new/", views.new_ticket, name="new"),
    path("track/", views.track, name="track"),
    path("track/append/", views.append, name="append"),
]
