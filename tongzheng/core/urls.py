from django.urls import include, path

from tongzheng.core import views

app_name = "core"
urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/add/", views.calendar_add, name="calendar_add"),
    path("calendar/<int:pk>/remove/", views.calendar_remove, name="calendar_remove"),
    # 站内消息 (core:messages, core:message_read, core:messages_read_all)
    path("messages/", include("tongzheng.core.notification_urls")),
]
