from django.urls import path

from boards import backup, views
from boards.export import release_views
from boards.export import views as export_views

urlpatterns = [
    path("", views.home, name="home"),
    path("b/<uuid:board_id>/", views.board_page, name="board"),
    path("api/boards/", views.boards_api, name="boards-api"),
    path("api/boards/import", backup.import_board, name="board-import"),
    path("api/boards/<uuid:board_id>/", views.board_api, name="board-api"),
    path("api/boards/<uuid:board_id>/ops/", views.ops_api, name="ops-api"),
    path("api/boards/<uuid:board_id>/checks/", views.checks_api, name="checks-api"),
    path("api/boards/<uuid:board_id>/history/", views.history_api, name="history-api"),
    path("api/boards/<uuid:board_id>/links/", views.links_api, name="links-api"),
    path("api/boards/<uuid:board_id>/access/", views.access_api, name="access-api"),
    path("api/boards/<uuid:board_id>/export.zip", export_views.export_zip, name="export-zip"),
    path("api/boards/<uuid:board_id>/export/", export_views.export_preview, name="export-preview"),
    path("api/boards/<uuid:board_id>/provision/", export_views.provision, name="provision"),
    path("api/boards/<uuid:board_id>/releases/", release_views.releases_api, name="releases-api"),
    path(
        "api/boards/<uuid:board_id>/contract/compatibility/",
        release_views.compatibility_api,
        name="contract-compatibility",
    ),
    path("api/boards/<uuid:board_id>/export.json", backup.export_json, name="board-export-json"),
    path("api/boards/<uuid:board_id>/board.svg", backup.board_svg, name="board-svg"),
]
