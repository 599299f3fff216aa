import traceback, pytest
from django.test import Client
from tests.factories import UserFactory
pytestmark = pytest.mark.django_db

def test_s(entity):
    su = UserFactory(email="root@x.org", superuser=True)
    c = Client(); c.force_login(su)
    for path, data in [("/en/admin/action_areas/countrygroupmembership/add/", {"country": "\t=1", "group": "1e308"}),
                       ("/en/admin/members/entity/add/", {"name": "x", "headquarters_country": "@SUM(1)"}),
                       ("/en/admin/django_celery_beat/crontabschedule/add/", {"minute": "' OR 1=1 --", "hour": "-1"})]:
        try:
            r = c.post(path, data); print(path, r.status_code)
        except Exception:
            print(path); traceback.print_exc()
