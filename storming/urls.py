from django.contrib import admin
from django.urls import include, path

from boards.health import healthz
from boards.login_throttle import ThrottledLoginView
from boards.views import signup

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/signup/", signup, name="signup"),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("boards.urls")),
]
