"""Package data: the Jinja2 email templates in ``email/`` (``cakra.notify.render`` loads them)."""
