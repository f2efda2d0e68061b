from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "batchui.review"
    label = "review"
    verbose_name = "Team review and intranet widget"
