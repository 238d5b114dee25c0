"""planpromo has no models. This module exists so that Django sends planpromo's `post_migrate` signal (it does so only
for apps with a models module), on which planpromo.apps creates the shared cache's table."""
