from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "batchui.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from batchui.accounts import checks, signals  # noqa: F401 - registers checks and receivers
