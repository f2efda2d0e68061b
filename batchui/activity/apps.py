from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "batchui.activity"
    label = "activity"
    verbose_name = "Activity log"
