from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "batchui.core"
    label = "core"
