"""What staff may do in the admin with rows only the application writes."""

import pytest
from django.contrib.admin import site

from boards.models import BoardEvent, ContractRelease, RelayPosition

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("model", "deletable"), [(BoardEvent, False), (ContractRelease, False), (RelayPosition, True)])
def test_staff_see_the_log_releases_and_relay_positions_change_none_and_may_only_reset_a_position(
    admin_user, rf, model, deletable
):
    request = rf.get("/admin/")
    request.user = admin_user
    model_admin = site._registry[model]
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert model_admin.has_delete_permission(request) is deletable
