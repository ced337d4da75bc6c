"""The Chalice app: blueprints under /api, the board page under / and /board, and the per-minute scheduler.
No logic lives here.

Cold start: the cyclic garbage collector is off while the app imports. Importing creates many
long-lived objects (modules, classes, pydantic models, route tables) and no garbage cycles worth
collecting, yet each allocation burst triggers collections that walk them all again (about a tenth of
the import time, bench/cold_start.py). After the import, gc.freeze() moves those objects out of the
collector's generations, so later collections during requests skip them too; then it is back on.
"""
import gc

gc.disable()

from chalice import Rate  # noqa: E402

from chalicelib import clock  # noqa: E402
from chalicelib.http.application import PaperclipChalice  # noqa: E402
from chalicelib.http.routes import ALL_BLUEPRINTS, board_page  # noqa: E402
from chalicelib.services.routines import scheduler  # noqa: E402

app = PaperclipChalice(app_name="paperclip")
app.api.binary_types.append("multipart/form-data")
for blueprint in ALL_BLUEPRINTS:
    app.register_blueprint(blueprint, url_prefix="/api")
app.register_blueprint(board_page.bp)  # the board page: static files under / and /board (not the JSON API)


@app.schedule(Rate(1, unit=Rate.MINUTES), name="scheduler-tick")
def scheduler_tick(event):
    return scheduler.tick(clock.current(), time_left_ms=event.context.get_remaining_time_in_millis).__dict__


gc.freeze()
gc.enable()
