from django.urls import path

from batchui.activity import views

app_name = "activity"

urlpatterns = [
    path("", views.activity_list, name="list"),
]
