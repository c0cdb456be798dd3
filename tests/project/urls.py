"""Test URLs: the demo servers plus the switch-variant servers used by the e2e tests."""

from django.contrib import admin
from django.urls import include, path

from demo_project.conformance import conformance
from tests.project.variants import json_only, leased, oauth, secure, short, stateless

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("mcp_django.urls")),
    path("conformance/", include(conformance.urls("mcp"))),
    path("stateless/", include(stateless.urls("mcp"))),
    path("json/", include(json_only.urls("mcp"))),
    path("short/", include(short.urls("mcp"))),
    path("leased/", include(leased.urls("mcp"))),
    path("secure/", include(secure.urls("mcp"))),
    path("oauth/", include(oauth.urls("mcp"))),
]

# -- edge-error and throttling servers
from tests.project.variants import (  # noqa: E402
    raising_auth,
    raising_throttle,
    throttled,
    throttled_auth,
)

urlpatterns += [
    path("raising-auth/", include(raising_auth.urls("mcp"))),
    path("raising-throttle/", include(raising_throttle.urls("mcp"))),
    path("throttled/", include(throttled.urls("mcp"))),
    path("throttled-auth/", include(throttled_auth.urls("mcp"))),
]

from tests.project.variants import tight  # noqa: E402

urlpatterns.append(path("tight/", include(tight.urls("mcp"))))

# -- session-limit and credential-recheck servers
from tests.project.variants import limited, rechecked  # noqa: E402

urlpatterns += [
    path("limited/", include(limited.urls("mcp"))),
    path("rechecked/", include(rechecked.urls("mcp"))),
]

from tests.project.variants import one_command  # noqa: E402

urlpatterns.append(path("one-command/", include(one_command.urls("mcp"))))
