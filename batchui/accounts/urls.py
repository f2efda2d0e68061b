from django.urls import path

from batchui.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/api-key/", views.api_key_save, name="api_key_save"),
    path("profile/api-key/remove/", views.api_key_remove, name="api_key_remove"),
    path("profile/test-connection/", views.connection_test, name="connection_test"),
]
