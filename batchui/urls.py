from django.contrib import admin
from django.urls import include, path

from batchui.core import health
from batchui.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/", include("batchui.accounts.urls")),
    path("batches/", include("batchui.batches.urls")),
    path("activity/", include("batchui.activity.urls")),
    path("", include("batchui.review.urls")),
    path("admin/", admin.site.urls),
]
