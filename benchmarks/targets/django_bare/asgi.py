"""ASGI entry point; pick the variant with DJANGO_SETTINGS_MODULE:

    benchmarks.targets.django_bare.settings             (no middleware)
    benchmarks.targets.django_bare.settings_middleware  (Django's default MIDDLEWARE)
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.targets.django_bare.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
