"""The limit of the stack: Django under the same gunicorn settings, answering one constant JSON body from a view
with no middleware, no database and no template. Settings, URLs and the WSGI application in one module:
DJANGO_SETTINGS_MODULE=bench.const_django gunicorn bench.const_django:application
"""

from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

SECRET_KEY = "bench-constant-view-only"  # no sessions, no signing: nothing to protect
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = __name__
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
USE_TZ = True

BODY = b'{"count":1,"next":null,"previous":null,"results":[{"id":1,"title":"constant"}]}'


def constant(request):
    return HttpResponse(BODY, content_type="application/json")


urlpatterns = [path("const/", constant)]

application = get_wsgi_application()
