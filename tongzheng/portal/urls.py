from django.urls import path

from tongzheng.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
]
