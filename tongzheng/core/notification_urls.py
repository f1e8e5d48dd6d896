"""In-site messages (站内消息) of the signed-in user, included by core/urls.py under
"messages/" so the names live in the ``core`` namespace (``core:messages``)."""

from django.urls import path

from tongzheng.core import notification_views as views

urlpatterns = [
    path("", views.message_list, name="messages"),
    path("<int:pk>/read/", views.message_read, name="message_read"),
    path("read-all/", views.messages_read_all, name="messages_read_all"),
]
