"""The Chalice app: blueprints under /api and the per-minute scheduler. No logic lives here."""
from chalice import Rate

from chalicelib import clock
from chalicelib.http.application import PaperclipChalice
from chalicelib.http.routes import ALL_BLUEPRINTS
from chalicelib.services.routines import scheduler

app = PaperclipChalice(app_name="paperclip")
app.api.binary_types.append("multipart/form-data")
for blueprint in ALL_BLUEPRINTS:
    app.register_blueprint(blueprint, url_prefix="/api")


@app.schedule(Rate(1, unit=Rate.MINUTES), name="scheduler-tick")
def scheduler_tick(event):
    return scheduler.tick(clock.current(), time_left_ms=event.context.get_remaining_time_in_millis).__dict__
