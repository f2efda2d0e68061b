from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    name = "batchui.simulator"
    label = "simulator"
    verbose_name = "Batch API simulator"
