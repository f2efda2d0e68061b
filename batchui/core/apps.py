from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "batchui.core"
    label = "core"

    def ready(self) -> None:
        from batchui.batchapi import checks  # noqa: F401 - registers the Batch API's checks
