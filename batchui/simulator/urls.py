"""URLs of the simulated Batch API at the API's own paths (never part of the dashboard's URLs)."""

urlpatterns: list = []
