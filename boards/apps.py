from django.apps import AppConfig


class BoardsConfig(AppConfig):
    name = "boards"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib import admin
        from django.core.checks import Tags, register

        from boards import deployment
        from boards.login_throttle import ThrottledAdminAuthenticationForm

        admin.site.login_form = ThrottledAdminAuthenticationForm

        for check in deployment.CHECKS:
            register(check, Tags.security, deploy=True)
