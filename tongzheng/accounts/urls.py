from django.urls import path

from tongzheng.accounts import views

app_name = "accounts"
urlpatterns: list = []
