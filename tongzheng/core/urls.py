from django.urls import path

from tongzheng.core import views

app_name = "core"
urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/add/", views.calendar_add, name="calendar_add"),
    path("calendar/<int:pk>/remove/", views.calendar_remove, name="calendar_remove"),
]
