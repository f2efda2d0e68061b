from django.contrib.auth import views as auth_views
from django.urls import path

from batchui.accounts import views
from batchui.accounts.forms import SignInForm

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),  # POST only
    path("profile/", views.profile, name="profile"),
    path("profile/api-key/", views.api_key_save, name="api_key_save"),
    path("profile/time-zone/", views.time_zone_save, name="time_zone_save"),
    path("profile/api-key/remove/", views.api_key_remove, name="api_key_remove"),
    path("profile/test-connection/", views.connection_test, name="connection_test"),
]
