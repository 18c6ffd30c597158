import os

from ecom_common.wsgi import loaded_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "order_service.settings.production")

application = loaded_wsgi_application()
