from django.urls import path

from tongzheng.portal import views

app_name = "portal"
urlpatterns: list = []
