"""Member area: write, review, submit and follow pledges. (Filled in by the pledges issue.)"""

from django.http import Http404


def _not_yet(request, *args, **kwargs):
    raise Http404


my_pledges = pledge_new = pledge_manage = pledge_edit = pledge_review = _not_yet
pledge_submit = pledge_withdraw = pledge_delete = _not_yet
