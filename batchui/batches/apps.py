from django.apps import AppConfig


class BatchesConfig(AppConfig):
    name = "batchui.batches"
    label = "batches"
    verbose_name = "Batches"
